import Foundation

// One direction of a PyTorch `nn.LSTM` layer, run over many sequences at once. The input half of the
// gates (x·W_ihᵀ for every frame) is one SGEMM the caller makes beforehand; the recurrence then makes
// one [batch × hidden]·W_hhᵀ SGEMM per step, so a batch of windows walks its frames together instead of
// one GEMV per window per frame (the pyannote segmentation model runs 8 such passes per window).
// Gate order is PyTorch's: input, forget, cell, output.

public enum LSTM {
    /// Runs one direction. `inputGates` is [batch × steps × 4·hidden] and already holds
    /// x·W_ihᵀ + b_ih + b_hh. The hidden state of sequence b at step t is written to
    /// `output[(b·steps + t)·outputStride + outputOffset ..< + hidden]`. `reverse` walks t from the end
    /// (the backward half of a bidirectional layer). State starts at zero, as `nn.LSTM` without h0/c0.
    public static func run(
        inputGates: UnsafePointer<Float>, batch: Int, steps: Int, hidden: Int,
        weightHH: UnsafePointer<Float>, reverse: Bool,
        output: UnsafeMutablePointer<Float>, outputStride: Int, outputOffset: Int
    ) {
        let gates = 4 * hidden
        guard batch > 0, steps > 0, hidden > 0 else { return }
        let state = UnsafeMutablePointer<Float>.allocate(capacity: 2 * batch * hidden + batch * gates)
        defer { state.deallocate() }
        let h = state, c = state + batch * hidden, g = state + 2 * batch * hidden
        h.update(repeating: 0, count: 2 * batch * hidden)
        for step in 0..<steps {
            let t = reverse ? steps - 1 - step : step
            // g = h · W_hhᵀ (skipped at the first step, where h is zero).
            if step == 0 {
                g.update(repeating: 0, count: batch * gates)
            } else {
                BLAS.sgemm(transB: true, m: batch, n: gates, k: hidden, a: h, lda: hidden,
                           b: weightHH, ldb: hidden, c: g, ldc: gates)
            }
            for b in 0..<batch {
                let x = inputGates + (b * steps + t) * gates, row = g + b * gates
                let hb = h + b * hidden, cb = c + b * hidden
                let out = output + (b * steps + t) * outputStride + outputOffset
                for i in 0..<hidden {
                    let input = sigmoid(row[i] + x[i])
                    let forget = sigmoid(row[hidden + i] + x[hidden + i])
                    let candidate = tanhf(row[2 * hidden + i] + x[2 * hidden + i])
                    let gate = sigmoid(row[3 * hidden + i] + x[3 * hidden + i])
                    cb[i] = forget * cb[i] + input * candidate
                    hb[i] = gate * tanhf(cb[i])
                    out[i] = hb[i]
                }
            }
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
}
