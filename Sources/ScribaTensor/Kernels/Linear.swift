// Fully connected layer y = x · Wᵀ + b with PyTorch's weight layout [out, in] (row-major), so
// checkpoint tensors are used as stored, without a transpose copy.

public enum Linear {
    /// x: [rows × inFeatures], weight: [outFeatures × inFeatures], bias: [outFeatures] or nil,
    /// output: [rows × outFeatures] (must not overlap x). One row goes through GEMV (decoding),
    /// several through one GEMM.
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, outFeatures > 0 else { return }
        guard inFeatures > 0 else {
            // An empty dot product is 0; BLAS rejects k = 0 leading dimensions on some builds.
            for r in 0..<rows {
                let y = output + r * outFeatures
                if let bias { y.update(from: bias, count: outFeatures) } else { y.update(repeating: 0, count: outFeatures) }
            }
            return
        }
        // Seed the output with the bias and let BLAS accumulate onto it (beta = 1): one pass fewer
        // over the output than adding the bias afterwards.
        var beta: Float = 0
        if let bias {
            for r in 0..<rows { (output + r * outFeatures).update(from: bias, count: outFeatures) }
            beta = 1
        }
        if rows == 1 {
            BLAS.sgemv(m: outFeatures, n: inFeatures, a: weight, lda: inFeatures, x: x, beta: beta, y: output)
        } else {
            BLAS.sgemm(
                transB: true, m: rows, n: outFeatures, k: inFeatures,
                a: x, lda: inFeatures, b: weight, ldb: inFeatures,
                beta: beta, c: output, ldc: outFeatures)
        }
    }
}

extension Tensor {
    /// self: [rows, in]; weight: [out, in]; bias: [out]. Returns [rows, out] (tests and simple callers).
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(rank == 2 && weight.rank == 2 && shape[1] == weight.shape[1], "linear: \(shape) · \(weight.shape)ᵀ")
        precondition(bias == nil || bias!.count == weight.shape[0], "linear: bias must have \(weight.shape[0]) values")
        let rows = shape[0], inFeatures = shape[1], outFeatures = weight.shape[0]
        var result = Tensor(zeros: [rows, outFeatures])
        data.withUnsafeBufferPointer { x in
            weight.data.withUnsafeBufferPointer { w in
                result.data.withUnsafeMutableBufferPointer { y in
                    guard let xb = x.baseAddress, let wb = w.baseAddress, let yb = y.baseAddress else { return }
                    if let bias {
                        bias.data.withUnsafeBufferPointer { b in
                            Linear.forward(xb, rows: rows, inFeatures: inFeatures, weight: wb, bias: b.baseAddress,
                                           outFeatures: outFeatures, output: yb)
                        }
                    } else {
                        Linear.forward(xb, rows: rows, inFeatures: inFeatures, weight: wb, bias: nil,
                                       outFeatures: outFeatures, output: yb)
                    }
                }
            }
        }
        return result
    }
}
