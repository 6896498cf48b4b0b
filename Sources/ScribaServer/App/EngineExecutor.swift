import Foundation

/// Dedicated threads for model inference. The engines compute synchronously for seconds; on
/// Swift's cooperative pool (one thread per core) two of them would starve every other task —
/// uploads stop being read, `/health` stops answering, idle timeouts fire on stalled bodies.
/// Running the engine work here keeps the pool free for request handling.
final class EngineExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in run() }
            thread.name = "scriba-engine-\(index)"
            // Model code recurses little but keeps large frames in debug builds.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
