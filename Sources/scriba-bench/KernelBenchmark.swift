// Throughput of the SIMD element-wise kernels and one decoder attention step, at Qwen3-0.6B-like
// sizes, so regressions in the non-BLAS code show up next to the GEMM figures.

import ScribaTensor

struct KernelBenchmark: Benchmark {
    let name = "kernels"
    let summary = "GELU/SiLU/softmax/RMSNorm element rates, RoPE, and a 1-token GQA attention step over 1024 cached positions"

    func run() {
        print("kernels (1 thread), median of 7 runs after 1 warm-up")
        let count = 1 << 20
        let input = (0..<count).map { Float($0 % 2000) * 0.005 - 5 }
        var output = [Float](repeating: 0, count: count)
        output.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            report("geluErf", elements: count) { Activations.geluErf(input, o, count: count) }
            report("geluTanh", elements: count) { Activations.geluTanh(input, o, count: count) }
            report("silu", elements: count) { Activations.silu(input, o, count: count) }
            report("siluGateMultiply", elements: count) { Activations.siluGateMultiply(gate: input, up: input, output: o, count: count) }
            report("softmax rows of 1024", elements: count) {
                o.update(from: input, count: count)
                Softmax.rows(o, rows: count / 1024, cols: 1024)
            }
            let weight = [Float](repeating: 1, count: 1024)
            report("rmsNorm rows of 1024", elements: count) { Norms.rmsNorm(input, o, rows: count / 1024, dim: 1024, weight: weight, eps: 1e-6) }
            report("layerNorm rows of 1024", elements: count) { Norms.layerNorm(input, o, rows: count / 1024, dim: 1024, weight: weight, bias: weight, eps: 1e-5) }
            let table = RoPETable(headDim: 128, maxPositions: 8192, theta: 1_000_000)
            // 512 rows × 16 heads × 128 = 1 Mi floats.
            report("rope 16 heads x 128", elements: count) { table.apply(o, rows: count / 2048, heads: 16, startPosition: 0) }
        }
        attentionStep()
    }

    private func attentionStep() {
        let previousThreads = BLAS.threads
        defer { BLAS.setThreads(previousThreads) }
        BLAS.setThreads(1)
        // Qwen3-0.6B decoder layer: 16 query heads, 8 kv heads, head dim 128; 1024 cached positions.
        let cached = 1024, qHeads = 16, kvHeads = 8, d = 128
        let cache = KVCache(layers: 1, maxSequenceLength: cached, kvHeads: kvHeads, headDim: d)
        let filler = [Float](repeating: 0.01, count: cached * kvHeads * d)
        try? cache.append(layer: 0, keys: filler, values: filler, rows: cached)
        let q = [Float](repeating: 0.02, count: qHeads * d)
        var out = [Float](repeating: 0, count: qHeads * d)
        let shape = AttentionShape(queryLength: 1, keyLength: cached, queryHeads: qHeads, kvHeads: kvHeads, headDim: d)
        var scratch = [Float](repeating: 0, count: shape.scratchCount(mask: .causal(queryOffset: cached - 1)))
        let seconds = out.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                Timing.medianSeconds(runs: 7) {
                    for _ in 0..<28 {  // one token through 28 layers' attention core
                        Attention.scaledDotProduct(query: q, key: cache.keys(layer: 0), value: cache.values(layer: 0),
                                                   output: o.baseAddress!, shape: shape, mask: .causal(queryOffset: cached - 1),
                                                   scale: 0.088, scratch: s)
                    }
                }
            }
        }
        print("  \(Format.padded("attention decode step, 28 layers x 16q/8kv x 128, 1024 cached", 22))  "
              + "\(Format.fixed(seconds * 1000, digits: 2)) ms")
    }

    private func report(_ label: String, elements: Int, _ body: () -> Void) {
        let seconds = Timing.medianSeconds(runs: 7, body)
        print("  \(Format.padded(label, 22))  \(Format.padded(Format.fixed(seconds * 1000, digits: 2), 8)) ms  "
              + "\(Format.padded(Format.fixed(Double(elements) / seconds / 1e9, digits: 2), 6)) Gelem/s")
    }
}
