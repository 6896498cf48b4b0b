// GEMM throughput of the linked BLAS at the shapes that dominate Scriba: a square 1024³ product and
// a 100-row linear layer 1024 → 4096 (x · Wᵀ with W stored [out, in], exactly as Linear.forward
// calls it), each on 1 and 2 BLAS threads.

import ScribaTensor

struct SGEMMBenchmark: Benchmark {
    let name = "sgemm"
    let summary = "cblas_sgemm GFLOP/s: 1024×1024×1024 and 100×4096×1024 (x·Wᵀ), 1 and 2 threads, median of 7"

    struct Shape {
        let label: String
        let m: Int, n: Int, k: Int
        let transB: Bool
    }

    let shapes = [
        Shape(label: "1024x1024x1024", m: 1024, n: 1024, k: 1024, transB: false),
        Shape(label: "100x4096x1024 (x.W^T)", m: 100, n: 4096, k: 1024, transB: true),
    ]

    func run() {
        print("sgemm (m x n x k), median of 7 runs after 1 warm-up")
        let previousThreads = BLAS.threads
        defer { BLAS.setThreads(previousThreads) }
        for shape in shapes {
            let a = [Float](repeating: 0.5, count: shape.m * shape.k)
            let b = [Float](repeating: 0.25, count: shape.k * shape.n)
            var c = [Float](repeating: 0, count: shape.m * shape.n)
            for threads in [1, 2] {
                BLAS.setThreads(threads)
                let seconds = c.withUnsafeMutableBufferPointer { cp in
                    Timing.medianSeconds(runs: 7) {
                        BLAS.sgemm(
                            transB: shape.transB, m: shape.m, n: shape.n, k: shape.k,
                            a: a, lda: shape.k, b: b, ldb: shape.transB ? shape.k : shape.n,
                            c: cp.baseAddress!, ldc: shape.n)
                    }
                }
                // Guard against a BLAS that silently did nothing: every element is k · 0.5 · 0.25.
                let expected = Float(shape.k) * 0.125
                let correct = c.first == expected && c.last == expected
                let gflops = 2 * Double(shape.m) * Double(shape.n) * Double(shape.k) / seconds / 1e9
                print("  \(Format.padded(shape.label, 22))  threads \(threads)  "
                      + "\(Format.padded(Format.fixed(seconds * 1000, digits: 2), 8)) ms  "
                      + "\(Format.padded(Format.fixed(gflops, digits: 1), 7)) GFLOP/s" + (correct ? "" : "  WRONG RESULT"))
            }
        }
    }
}
