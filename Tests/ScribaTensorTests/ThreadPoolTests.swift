import Foundation
import Testing
import ScribaTensor

/// Written from several threads at distinct indices only (raw memory: no Array uniqueness checks).
private final class Slots: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    let count: Int
    init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }
    deinit { pointer.deallocate() }
    var values: [Int] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

@Test func everyTaskRunsOncePerCall() {
    let pool = ThreadPool(threads: 3, spinMicroseconds: 50)
    let slots = Slots(3)
    for call in 1...2000 {
        pool.run(tasks: 3) { task in slots.pointer[task] += call }
        if call == 1000 { usleep(2000) }   // let the workers fall asleep once, then wake them
    }
    // Each slot got 1 + 2 + … + 2000.
    #expect(slots.values == [2_001_000, 2_001_000, 2_001_000])
    // Fewer tasks than threads leave the other slots alone.
    pool.run(tasks: 1) { slots.pointer[$0] += 1 }
    #expect(slots.values == [2_001_001, 2_001_000, 2_001_000])
}

@Test func concurrentCallersAllComplete() {
    // Two callers race for one pool: one gets the workers, the other runs inline; both finish.
    let pool = ThreadPool(threads: 2)
    let perCaller = Slots(4 * 2)
    DispatchQueue.concurrentPerform(iterations: 4) { caller in
        for _ in 0..<500 {
            pool.run(tasks: 2) { task in perCaller.pointer[caller * 2 + task] += 1 }
        }
    }
    #expect(perCaller.values == [Int](repeating: 500, count: 8))
}

@Test func dealRunsEveryItemOnceOnTheThreadsItNames() {
    let pool = ThreadPool(threads: 3, spinMicroseconds: 50)
    let hits = Slots(1000), tasks = Slots(1000)
    pool.deal(1000) { item, task in
        hits.pointer[item] += 1
        tasks.pointer[item] = task
        if item % 97 == 0 { usleep(100) }   // uneven items: the other threads take more
    }
    #expect(hits.values == [Int](repeating: 1, count: 1000))
    #expect(tasks.values.allSatisfy { (0..<3).contains($0) })
    pool.deal(0) { _, _ in Issue.record("no items, no calls") }
}
