// Streaming read bandwidth: the ceiling for a decode step, which reads every weight once per token.
// A 512 MiB buffer (twice the 260 MiB L3 of the project's machines) summed with SIMD, on 1 and 2
// threads. `GEMVBenchmark` reports its figures as a share of these.

import Glibc
import ScribaTensor

struct MemoryBandwidthBenchmark: Benchmark {
    let name = "membw"
    let summary = "streaming read bandwidth (GB/s) of a 512 MiB buffer on 1 and 2 threads"

    func run() {
        let result = MemoryBandwidth.measure()
        print("membw: 512 MiB streaming read, median of 7 runs after 1 warm-up")
        print("  1 thread   \(Format.padded(Format.fixed(result.oneThread, digits: 1), 6)) GB/s "
              + "(\(Format.fixed(result.oneThreadCPU, digits: 1)) GB/s by the thread's CPU time)")
        print("  2 threads  \(Format.padded(Format.fixed(result.twoThreads, digits: 1), 6)) GB/s")
    }
}

enum MemoryBandwidth {
    /// GB/s (10^9 bytes per second) on 1 and 2 threads.
    /// GB/s by wall time on 1 and 2 threads, and on 1 thread by that thread's CPU time (what an idle
    /// core would see when other processes share the machine).
    static func measure(bytes: Int = 512 << 20) -> (oneThread: Double, twoThreads: Double, oneThreadCPU: Double) {
        let count = bytes / 4
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        // Distinct non-zero values so every page is really backed.
        for i in 0..<count { buffer[i] = Float(i & 1023) }
        let pool = ThreadPool(threads: 2)
        var sink: Float = 0
        let one = Timing.medianSeconds(runs: 7) { sink += sum(buffer, count: count) }
        let oneCPU = CPUTiming.medianSeconds(runs: 7) { sink += sum(buffer, count: count) }
        let halves = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        defer { halves.deallocate() }
        let two = Timing.medianSeconds(runs: 7) {
            pool.run(tasks: 2) { task in
                let half = count / 2
                halves[task] = sum(buffer + task * half, count: task == 0 ? half : count - half)
            }
            sink += halves[0] + halves[1]
        }
        if sink.isNaN { print("(checksum \(sink))") }   // keeps the reads from being optimised away
        return (Double(bytes) / one / 1e9, Double(bytes) / two / 1e9, Double(bytes) / oneCPU / 1e9)
    }

    /// Four independent 16-lane accumulators so the adds never wait on each other.
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var a = SIMD16<Float>(), b = a, c = a, d = a
        var i = 0
        while i + 64 <= count {
            let raw = UnsafeRawPointer(p + i)
            a += raw.loadUnaligned(as: SIMD16<Float>.self)
            b += raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            c += raw.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
            d += raw.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
            i += 64
        }
        var total = ((a + b) + (c + d)).sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }
}

/// Like `Timing.medianSeconds` but counts the calling thread's CPU time, so time spent descheduled
/// (other processes on the 2 cores) is left out. Single-threaded work only.
enum CPUTiming {
    static func medianSeconds(runs: Int = 5, _ body: () -> Void) -> Double {
        body()
        var samples = [Double]()
        for _ in 0..<max(1, runs) {
            let start = now()
            body()
            samples.append(now() - start)
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
