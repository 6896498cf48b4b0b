import Testing
@testable import ScribaTensor

// The default thread count is the physical cores: /proc/cpuinfo lists every logical CPU, so two
// hyper-threads of one core (same physical id and core id) count once.

@Test func physicalCoresCountDistinctPackageAndCorePairs() {
    let cpu = { (processor: Int, package: Int, core: Int) in
        "processor\t: \(processor)\nphysical id\t: \(package)\ncore id\t\t: \(core)\nflags\t\t: fpu avx2\n"
    }
    // Two packages × two cores × two threads: 8 logical CPUs, 4 cores.
    let smt = [cpu(0, 0, 0), cpu(1, 0, 1), cpu(2, 1, 0), cpu(3, 1, 1), cpu(4, 0, 0), cpu(5, 0, 1), cpu(6, 1, 0), cpu(7, 1, 1)]
    #expect(ComputeThreads.physicalCoreCount(cpuinfo: smt.joined(separator: "\n")) == 4)
    #expect(ComputeThreads.physicalCoreCount(cpuinfo: [cpu(0, 0, 0), cpu(1, 0, 1)].joined(separator: "\n")) == 2)
    // No topology lines (some VMs, other systems): unknown, so the logical count is used.
    #expect(ComputeThreads.physicalCoreCount(cpuinfo: "processor\t: 0\nflags\t\t: fpu\n") == nil)
}

@Test(arguments: [0, 1, 2, 7])
func splitCoversTheRangeOnceInOrder(count: Int) {
    let pool = ThreadPool(threads: 2)
    var seen = [Int](repeating: 0, count: count + 10)
    seen.withUnsafeMutableBufferPointer { marks in
        ThreadPool.split(10..<(10 + count), over: pool) { rows in
            for r in rows { marks[r] += 1 }
        }
    }
    #expect(Array(seen[10...]) == [Int](repeating: 1, count: count))
    #expect(Array(seen[..<10]) == [Int](repeating: 0, count: 10))
}
