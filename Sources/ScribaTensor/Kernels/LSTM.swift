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
                cellStep(gates: row, input: x, hidden: hidden, h: h + b * hidden, c: c + b * hidden,
                         output: output + (b * steps + t) * outputStride + outputOffset)
            }
        }
    }

    /// One sequence's state update from its pre-activation gates (`gates` + `input`, both [4·hidden]),
    /// 16 lanes at a time with ScribaTensor's vector exp (the scalar libm tanh/exp were ~12 % of a
    /// diarization run).
    @inline(__always)
    static func cellStep(gates row: UnsafePointer<Float>, input x: UnsafePointer<Float>, hidden: Int,
                         h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let width = VectorMath.width
        var i = 0
        while i < hidden {
            let n = min(width, hidden - i)
            func gate(_ k: Int) -> FloatVector {
                n == width ? VectorMath.load(row + k * hidden + i) + VectorMath.load(x + k * hidden + i)
                    : VectorMath.loadPartial(row + k * hidden + i, count: n) + VectorMath.loadPartial(x + k * hidden + i, count: n)
            }
            let input = sigmoid(gate(0)), forget = sigmoid(gate(1)), candidate = tanh(gate(2)), out = sigmoid(gate(3))
            let previous = n == width ? VectorMath.load(c + i) : VectorMath.loadPartial(c + i, count: n)
            let cell = forget * previous + input * candidate
            let state = out * tanh(cell)
            if n == width {
                VectorMath.store(cell, c + i)
                VectorMath.store(state, h + i)
                VectorMath.store(state, output + i)
            } else {
                VectorMath.storePartial(cell, c + i, count: n)
                VectorMath.storePartial(state, h + i, count: n)
                VectorMath.storePartial(state, output + i, count: n)
            }
            i += width
        }
    }

    @inline(__always)
    static func sigmoid(_ x: FloatVector) -> FloatVector { 1 / (1 + VectorMath.exp(-x)) }

    /// tanh(x) = 1 − 2 / (e^{2x} + 1): exact limits ±1 (the vector exp saturates instead of
    /// overflowing), absolute error ~1e-7 near 0.
    @inline(__always)
    static func tanh(_ x: FloatVector) -> FloatVector { 1 - 2 / (VectorMath.exp(2 * x) + 1) }
}
