// Decode-step GEMV throughput: effective GB/s (weight bytes / time) of `GEMV.multiply` for
// Qwen3-ASR-1.7B decoder shapes in f32/bf16/int8 on 1 and 2 threads, as a share of the measured
// streaming bandwidth, plus the estimated time of one 1.7B decode step (sum over its matrices).
// Each figure cycles through enough distinct copies of a matrix (≥ 640 MB) that weights come from
// DRAM, as in a real decode step, not from the 260 MiB L3.

import Dispatch
import ScribaTensor

struct GEMVBenchmark: Benchmark {
    let name = "gemv"
    let summary = "bf16/int8/f32 GEMV GB/s vs memory bandwidth (1 and 2 threads), pool overhead, 1.7B decode-step estimate"

    /// rows × cols (out × in) and how often a Qwen3-ASR-1.7B decode step uses the shape.
    private static let shapes: [(label: String, rows: Int, cols: Int, perToken: Int)] = [
        ("q/o 2048x2048", 2048, 2048, 2 * 28),
        ("k/v 1024x2048", 1024, 2048, 2 * 28),
        ("gate/up 6144x2048", 6144, 2048, 2 * 28),
        ("down 2048x6144", 2048, 6144, 28),
        ("lm_head 151936x2048", 151_936, 2048, 1),
    ]
    private static let precisions: [WeightPrecision] = [.f32, .bf16, .int8(), .int8(groupSize: 128)]
    private static let workingSetBytes = 640_000_000

    func run() {
        let bandwidth = MemoryBandwidth.measure()
        print("gemv: memory bandwidth 1 thread \(Format.fixed(bandwidth.oneThread, digits: 1)) GB/s "
              + "(CPU time: \(Format.fixed(bandwidth.oneThreadCPU, digits: 1))), "
              + "2 threads \(Format.fixed(bandwidth.twoThreads, digits: 1)) GB/s (512 MiB read)")
        print("  (1-thread rows also give GB/s by the thread's CPU time, the figure that holds when other processes share the cores)")
        poolOverhead()
        let pool = ThreadPool(threads: 2)
        print("  shape                  precision  threads   µs/call     GB/s  % of bw  | CPU-time GB/s  % of bw")
        var stepSeconds: [String: [Int: Double]] = [:]
        for shape in Self.shapes {
            let source = Self.randomWeights(count: shape.rows * shape.cols, seed: UInt64(shape.rows &* 31 &+ shape.cols))
            for precision in Self.precisions {
                let copies = Self.copies(source, rows: shape.rows, cols: shape.cols, precision: precision)
                for threads in [1, 2] {
                    let seconds = Self.secondsPerCall(copies, pool: threads == 2 ? pool : nil)
                    let gbps = Double(copies[0].byteCount) / seconds / 1e9
                    let percent = 100 * gbps / (threads == 2 ? bandwidth.twoThreads : bandwidth.oneThread)
                    var cpuColumns = ""
                    if threads == 1 {
                        let cpuGBps = Double(copies[0].byteCount) / Self.secondsPerCall(copies, pool: nil, cpuTime: true) / 1e9
                        cpuColumns = "  | \(Format.padded(Format.fixed(cpuGBps, digits: 1), 13)) \(Format.padded(Format.fixed(100 * cpuGBps / bandwidth.oneThreadCPU, digits: 0), 7))%"
                    }
                    print("  \(Self.left(shape.label, 22)) \(Self.left(precision.description, 10)) \(Format.padded("\(threads)", 7))"
                          + " \(Format.padded(Format.fixed(seconds * 1e6, digits: 1), 9)) \(Format.padded(Format.fixed(gbps, digits: 1), 8))"
                          + " \(Format.padded(Format.fixed(percent, digits: 0), 7))%" + cpuColumns)
                    stepSeconds[precision.description, default: [:]][threads, default: 0] += seconds * Double(shape.perToken)
                }
            }
            if shape.rows == 6144 { batched(source, rows: shape.rows, cols: shape.cols, pool: pool) }
            if shape.rows != 151_936 { openBLAS(source, rows: shape.rows, cols: shape.cols) }
        }
        print("  estimated Qwen3-ASR-1.7B decode step (28 layers' 7 linears + lm_head, GEMV only):")
        for precision in Self.precisions {
            let times = stepSeconds[precision.description] ?? [:]
            print("    \(Self.left(precision.description, 9)) 1 thread \(Format.fixed((times[1] ?? 0) * 1000, digits: 1)) ms, "
                  + "2 threads \(Format.fixed((times[2] ?? 0) * 1000, digits: 1)) ms")
        }
    }

    /// Cost of handing a no-op to the second core: the persistent pool vs Dispatch.
    private func poolOverhead() {
        let pool = ThreadPool(threads: 2)
        let calls = 20_000
        let poolSeconds = Timing.medianSeconds(runs: 5) {
            for _ in 0..<calls { pool.run(tasks: 2) { _ in } }
        }
        let dispatchSeconds = Timing.medianSeconds(runs: 5) {
            for _ in 0..<calls { DispatchQueue.concurrentPerform(iterations: 2) { _ in } }
        }
        print("  per-call overhead, empty 2-task job: ThreadPool \(Format.fixed(poolSeconds / Double(calls) * 1e6, digits: 2)) µs, "
              + "DispatchQueue.concurrentPerform \(Format.fixed(dispatchSeconds / Double(calls) * 1e6, digits: 2)) µs")
    }

    /// m = 4 and 16 input rows stream the weights once: time per call should stay near m = 1.
    private func batched(_ source: [Float], rows: Int, cols: Int, pool: ThreadPool) {
        let copies = Self.copies(source, rows: rows, cols: cols, precision: .bf16)
        for inputs in [4, 16] {
            let seconds = Self.secondsPerCall(copies, pool: pool, inputs: inputs)
            print("  \(Self.left("  same, \(inputs) inputs", 22)) \(Self.left("bf16", 10)) \(Format.padded("2", 7))"
                  + " \(Format.padded(Format.fixed(seconds * 1e6, digits: 1), 9)) \(Format.padded(Format.fixed(Double(copies[0].byteCount) / seconds / 1e9, digits: 1), 8))")
        }
    }

    /// OpenBLAS sgemv on the same f32 shape, for reference (its threads set through BLAS.setThreads).
    private func openBLAS(_ source: [Float], rows: Int, cols: Int) {
        let copyCount = max(1, Self.workingSetBytes / (rows * cols * 4))
        let matrices = (0..<copyCount).map { _ in source.withUnsafeBufferPointer { Array($0) } }
        let x = Self.randomWeights(count: cols, seed: 7)
        var y = [Float](repeating: 0, count: rows)
        let previous = BLAS.threads
        defer { BLAS.setThreads(previous) }
        for threads in [1, 2] {
            BLAS.setThreads(threads)
            let seconds = y.withUnsafeMutableBufferPointer { yb in
                Timing.medianSeconds(runs: 5) {
                    for matrix in matrices {
                        matrix.withUnsafeBufferPointer { a in
                            BLAS.sgemv(m: rows, n: cols, a: a.baseAddress!, lda: cols, x: x, y: yb.baseAddress!)
                        }
                    }
                }
            } / Double(copyCount)
            print("  \(Self.left("  same, OpenBLAS sgemv", 22)) \(Self.left("f32", 10)) \(Format.padded("\(threads)", 7))"
                  + " \(Format.padded(Format.fixed(seconds * 1e6, digits: 1), 9)) \(Format.padded(Format.fixed(Double(rows * cols * 4) / seconds / 1e9, digits: 1), 8))")
        }
    }

    private static func copies(_ source: [Float], rows: Int, cols: Int, precision: WeightPrecision) -> [WeightMatrix] {
        let first = try! WeightMatrix(rows: rows, cols: cols, values: source, precision: precision)
        let count = max(1, workingSetBytes / first.byteCount)
        // Each init converts into fresh storage, so the copies are distinct memory.
        return [first] + (1..<max(1, count)).map { _ in try! WeightMatrix(rows: rows, cols: cols, values: source, precision: precision) }
    }

    private static func secondsPerCall(_ copies: [WeightMatrix], pool: ThreadPool?, inputs: Int = 1, cpuTime: Bool = false) -> Double {
        let cols = copies[0].cols, rows = copies[0].rows
        let x = randomWeights(count: inputs * cols, seed: 3)
        var y = [Float](repeating: 0, count: inputs * rows)
        return y.withUnsafeMutableBufferPointer { yb in
            x.withUnsafeBufferPointer { xb in
                let body = {
                    for matrix in copies {
                        GEMV.multiply(matrix, x: xb.baseAddress!, inputs: inputs, output: yb.baseAddress!, pool: pool)
                    }
                }
                return cpuTime ? CPUTiming.medianSeconds(runs: 5, body) : Timing.medianSeconds(runs: 5, body)
            }
        } / Double(copies.count)
    }

    /// Uniform in ±0.05 (the scale of trained linear weights) from a xorshift generator: fast enough
    /// for the 311 M values of the vocabulary head.
    private static func randomWeights(count: Int, seed: UInt64) -> [Float] {
        var state = seed | 1
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                buffer[i] = (Float(state >> 40) * 0x1p-24 - 0.5) * 0.1
            }
            initialized = count
        }
    }

    private static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
