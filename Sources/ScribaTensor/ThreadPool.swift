// A tiny persistent thread pool for splitting one kernel call across cores. A 1.7B decode step makes
// ~200 GEMV calls per token, each a few tens to hundreds of µs, so the hand-off must cost ~1 µs, not
// the ~10+ µs of waking a sleeping thread per call (DispatchQueue.concurrentPerform). Workers
// therefore spin on an atomic generation counter for `spinMicroseconds` after each task (covering the
// gaps between the GEMVs of one token) and only then sleep on a condition variable.
// `run` is not reentrant: a call made while another is in flight (another thread, or nested) simply
// runs its tasks on the calling thread, which gives the same results, since tasks own their outputs.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

public final class ThreadPool: Sendable {
    /// Threads a call may use, the caller included.
    public let threadCount: Int
    private let state: PoolState

    /// The pool every kernel uses by default: `ComputeThreads.count` threads (caller included),
    /// fixed when first used.
    public static let shared = ThreadPool(threads: ComputeThreads.count)

    public init(threads: Int, spinMicroseconds: Int = 300) {
        threadCount = max(1, threads)
        state = PoolState(workers: threadCount - 1, spinNanoseconds: UInt64(max(0, spinMicroseconds)) * 1000)
        for index in 0..<(threadCount - 1) {
            let state = self.state
            let thread = Thread { state.workerLoop(index: index) }
            thread.name = "scriba-pool-\(index + 1)"
            thread.start()
        }
    }

    deinit { state.shutDown() }

    /// Calls `body` on consecutive slices of `range`, one per thread of `pool` (all of it on the calling
    /// thread without a pool): for memory-bound passes over rows, such as widening weight tiles.
    public static func split(_ range: Range<Int>, over pool: ThreadPool?, _ body: (Range<Int>) -> Void) {
        let threads = min(pool?.threadCount ?? 1, range.count)
        guard let pool, threads > 1 else {
            body(range)
            return
        }
        pool.run(tasks: threads) { task in
            body((range.lowerBound + range.count * task / threads)..<(range.lowerBound + range.count * (task + 1) / threads))
        }
    }

    /// Calls `body(item, task)` for every item in 0..<count, dealing items one at a time to whichever
    /// thread is free (items of uneven cost, such as speaker embeddings of different lengths, still
    /// keep every thread busy); `task` (0..<threadCount) names the thread, for per-thread scratch.
    /// Items run in no fixed order, each exactly once.
    public func deal(_ count: Int, _ body: (_ item: Int, _ task: Int) -> Void) {
        let next = Atomic<Int>(0)
        run(tasks: min(threadCount, max(1, count))) { task in
            while true {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < count else { return }
                body(item, task)
            }
        }
    }

    /// Calls `body(i)` for i in 0..<tasks, task 0 on the calling thread and task k on worker k − 1, and
    /// returns when all are done. `tasks` is at most `threadCount`. Allocates nothing.
    public func run(tasks: Int, _ body: (Int) -> Void) {
        precondition(tasks <= threadCount, "ThreadPool.run: \(tasks) tasks for \(threadCount) threads")
        guard tasks > 1, state.tryAcquire() else {
            for task in 0..<tasks { body(task) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            state.dispatch(tasks: tasks, escapable)
            escapable(0)
            state.waitForWorkers()
        }
        state.release()
    }
}

/// Everything the workers touch, kept apart from `ThreadPool` so the pool can be deinitialised
/// (and tell the workers to exit) while the worker threads still hold this.
private final class PoolState: @unchecked Sendable {
    let workers: Int
    let spinNanoseconds: UInt64
    let generation = Atomic<Int>(0)
    let pending = Atomic<Int>(0)
    let sleepers = Atomic<Int>(0)
    let busy = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    let condition: UnsafeMutablePointer<pthread_cond_t>
    // Written by the caller before the generation bump (release), read by workers after seeing it (acquire).
    nonisolated(unsafe) var job: ((Int) -> Void)?
    nonisolated(unsafe) var taskCount = 0

    init(workers: Int, spinNanoseconds: UInt64) {
        self.workers = workers
        self.spinNanoseconds = spinNanoseconds
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func tryAcquire() -> Bool {
        workers > 0 && busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    func release() { busy.store(false, ordering: .releasing) }

    func dispatch(tasks: Int, _ body: @escaping (Int) -> Void) {
        job = body
        taskCount = tasks
        pending.store(workers, ordering: .relaxed)
        publish()
    }

    func waitForWorkers() {
        var spins = 0
        while pending.load(ordering: .acquiring) != 0 {
            spins += 1
            // Only if a worker is descheduled (more runnable threads than cores) is yielding worth it.
            if spins & 0xFFF == 0 { sched_yield() }
        }
        // Drop the closure before `withoutActuallyEscaping` checks that it did not escape.
        job = nil
    }

    func shutDown() {
        stopping.store(true, ordering: .releasing)
        publish()
    }

    private func publish() {
        generation.add(1, ordering: .sequentiallyConsistent)
        // Pairs with the sleeper count in `sleep`: either this sees the sleeper, or the sleeper sees
        // the new generation before waiting, so no wake-up is lost.
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
    }

    func workerLoop(index: Int) {
        var seen = 0
        while true {
            var current = generation.load(ordering: .acquiring)
            if current == seen {
                let start = Self.nanoseconds()
                var spins = 0
                while current == seen {
                    spins += 1
                    if spins & 0x3FF == 0, Self.nanoseconds() &- start > spinNanoseconds {
                        sleep(until: seen)
                    }
                    current = generation.load(ordering: .acquiring)
                }
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            runTask(index + 1)
            pending.subtract(1, ordering: .releasing)
        }
    }

    // Separate and not inlined so the worker's reference to the closure is gone before it reports done.
    @inline(never)
    private func runTask(_ task: Int) {
        if task < taskCount, let job { job(task) }
    }

    private func sleep(until seen: Int) {
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(condition, mutex)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
    }

    private static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
