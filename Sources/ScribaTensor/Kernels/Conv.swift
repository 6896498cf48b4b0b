// Convolutions for the audio stems, in PyTorch layouts, via im2col + one SGEMM:
//   Whisper:   conv1d k=3, stride 1 then 2, padding 1 over [mel, frames].
//   Qwen3-ASR: conv2d 3×3, stride 2, padding 1 over [channels, mel, frames] (three times).
//   CAM++:     conv2d 3×3 with stride (2, 1) (frequency only), conv1d with dilation 2 (the TDNN blocks).
// The caller owns the im2col scratch (`scratchCount` floats) so repeated calls allocate nothing.
// A bf16 copy of the kernel (`lowPrecisionWeight`, a model that asked for bf16 / int8 products) sends
// the product to oneDNN's bf16 matmul, with the im2col columns rounded to bf16 in `linearScratch`.

/// Shape of a 1-D convolution: input [inChannels × inputLength], weight [outChannels × inChannels ×
/// kernelSize], output [outChannels × outputLength].
public struct Conv1DGeometry: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var inputLength: Int
    public var kernelSize: Int
    public var stride: Int
    public var padding: Int
    /// Spacing between kernel taps (PyTorch's `dilation`).
    public var dilation: Int

    public init(inChannels: Int, outChannels: Int, inputLength: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        precondition(kernelSize > 0 && stride > 0 && padding >= 0 && dilation > 0, "conv1d: kernel, stride and dilation must be positive")
        self.dilation = dilation
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.inputLength = inputLength
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// floor((L + 2p - d·(k − 1) − 1) / s) + 1, as PyTorch; 0 when the padded input is shorter than the kernel.
    public var outputLength: Int {
        let span = inputLength + 2 * padding - dilation * (kernelSize - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }

    /// Floats of im2col scratch `Conv.conv1d` needs: [inChannels·kernelSize × outputLength].
    public var scratchCount: Int { inChannels * kernelSize * outputLength }
}

/// Shape of a 2-D convolution with the same stride and padding on both axes: input
/// [inChannels × height × width], weight [outChannels × inChannels × kernelHeight × kernelWidth],
/// output [outChannels × outputHeight × outputWidth].
public struct Conv2DGeometry: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var height: Int
    public var width: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Int
    /// Stride along the height alone (`stride` unless given): CAM++ halves frequency, not time.
    public var heightStride: Int

    public init(
        inChannels: Int, outChannels: Int, height: Int, width: Int,
        kernelHeight: Int = 3, kernelWidth: Int = 3, stride: Int = 1, padding: Int = 0, heightStride: Int? = nil
    ) {
        self.heightStride = heightStride ?? stride
        precondition(self.heightStride > 0, "conv2d: stride must be positive")
        precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0, "conv2d: kernel and stride must be positive")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int {
        let span = height + 2 * padding - kernelHeight
        return span < 0 ? 0 : span / heightStride + 1
    }

    public var outputWidth: Int {
        let span = width + 2 * padding - kernelWidth
        return span < 0 ? 0 : span / stride + 1
    }

    /// Floats of im2col scratch `Conv.conv2d` needs: [inChannels·kh·kw × outputHeight·outputWidth].
    public var scratchCount: Int { scratchCount(rows: outputHeight) }

    /// The im2col scratch for a band of `rows` output rows (`Conv.conv2d(outputRows:)`).
    public func scratchCount(rows: Int) -> Int { inChannels * kernelHeight * kernelWidth * rows * outputWidth }
}

public enum Conv {
    /// output = conv1d(input, weight) + bias. `scratch` holds `geometry.scratchCount` floats.
    public static func conv1d(
        _ input: UnsafePointer<Float>, geometry g: Conv1DGeometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, scratch scratchBuffer: UnsafeMutableBufferPointer<Float>
    ) {
        let outLength = g.outputLength
        guard outLength > 0, g.outChannels > 0 else { return }
        precondition(scratchBuffer.count >= g.scratchCount, "conv1d scratch holds \(scratchBuffer.count) floats, needs \(g.scratchCount)")
        guard let scratch = scratchBuffer.baseAddress else { return }
        let patch = g.inChannels * g.kernelSize
        // im2col: column t of row (c, j) is input[c, t·stride + j·dilation - padding], zero outside.
        for c in 0..<g.inChannels {
            let source = input + c * g.inputLength
            for j in 0..<g.kernelSize {
                let row = scratch + (c * g.kernelSize + j) * outLength
                let offset = j * g.dilation - g.padding
                if g.stride == 1 {
                    copyShifted(source, length: g.inputLength, offset: offset, into: row, count: outLength)
                    continue
                }
                for t in 0..<outLength {
                    let position = t * g.stride + offset
                    row[t] = position >= 0 && position < g.inputLength ? source[position] : 0
                }
            }
        }
        gemmWithBias(
            weight: weight, columns: scratch, bias: bias, output: output,
            outChannels: g.outChannels, patch: patch, positions: outLength)
    }

    /// output = conv2d(input, weight) + bias. `scratch` holds `geometry.scratchCount` floats.
    /// `lowPrecisionWeight`: the kernel as a bf16 [outChannels × inChannels·kh·kw] matrix, multiplied on
    /// oneDNN where present (else `weight` on sgemm).
    /// `outputRows`: only these output rows are computed (the rest of `output` is left as it is), and
    /// `scratch` then needs only `geometry.scratchCount(rows:)`: a caller walking the rows in bands keeps
    /// the im2col columns cache-sized instead of [patch × whole plane] (CAM++'s 3×3 convs over 10 s).
    public static func conv2d(
        _ input: UnsafePointer<Float>, geometry g: Conv2DGeometry,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, scratch scratchBuffer: UnsafeMutableBufferPointer<Float>,
        lowPrecisionWeight: WeightMatrix? = nil, linearScratch: LinearScratch? = nil,
        outputRows: Range<Int>? = nil
    ) {
        let outH = g.outputHeight, outW = g.outputWidth
        let rows = (outputRows ?? 0..<outH).clamped(to: 0..<outH)
        let positions = rows.count * outW
        guard positions > 0, g.outChannels > 0 else { return }
        precondition(scratchBuffer.count >= g.scratchCount(rows: rows.count), "conv2d scratch holds \(scratchBuffer.count) floats, needs \(g.scratchCount(rows: rows.count))")
        guard let scratch = scratchBuffer.baseAddress else { return }
        let patch = g.inChannels * g.kernelHeight * g.kernelWidth
        for c in 0..<g.inChannels {
            let plane = input + c * g.height * g.width
            for a in 0..<g.kernelHeight {
                for b in 0..<g.kernelWidth {
                    let row = scratch + ((c * g.kernelHeight + a) * g.kernelWidth + b) * positions
                    for oy in rows {
                        let y = oy * g.heightStride + a - g.padding
                        let destination = row + (oy - rows.lowerBound) * outW
                        guard y >= 0 && y < g.height else {
                            destination.update(repeating: 0, count: outW)
                            continue
                        }
                        let sourceRow = plane + y * g.width
                        if g.stride == 1 {
                            copyShifted(sourceRow, length: g.width, offset: b - g.padding, into: destination, count: outW)
                            continue
                        }
                        for ox in 0..<outW {
                            let x = ox * g.stride + b - g.padding
                            destination[ox] = x >= 0 && x < g.width ? sourceRow[x] : 0
                        }
                    }
                }
            }
        }
        gemmWithBias(
            weight: weight, columns: scratch, bias: bias, output: output + rows.lowerBound * outW,
            outChannels: g.outChannels, patch: patch, positions: positions, outputStride: outH * outW,
            lowPrecisionWeight: lowPrecisionWeight, linearScratch: linearScratch)
    }

    /// destination[t] = source[t + offset] for t in 0..<count, zero where t + offset falls outside
    /// 0..<length: one im2col row of a stride-1 convolution, copied in one run.
    private static func copyShifted(
        _ source: UnsafePointer<Float>, length: Int, offset: Int, into destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        let first = min(count, max(0, -offset)), end = max(first, min(count, length - offset))
        destination.update(repeating: 0, count: first)
        destination.advanced(by: first).update(from: source + (first + offset), count: end - first)
        destination.advanced(by: end).update(repeating: 0, count: count - end)
    }

    /// output[o, t] = Σ_p weight[o, p] · columns[p, t] + bias[o]; output rows `outputStride` apart
    /// (`positions` unless only a band of the output is computed).
    private static func gemmWithBias(
        weight: UnsafePointer<Float>, columns: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, outChannels: Int, patch: Int, positions: Int, outputStride: Int? = nil,
        lowPrecisionWeight: WeightMatrix? = nil, linearScratch: LinearScratch? = nil
    ) {
        let ldc = outputStride ?? positions
        var beta: Float = 0
        if let bias {
            for o in 0..<outChannels { (output + o * ldc).update(repeating: bias[o], count: positions) }
            beta = 1
        }
        guard patch > 0 else {
            if bias == nil { for o in 0..<outChannels { (output + o * ldc).update(repeating: 0, count: positions) } }
            return
        }
        if ldc == positions, let lowPrecisionWeight, let linearScratch, OneDNN.isAvailable, case .bf16(let bits) = lowPrecisionWeight.storage {
            precondition(lowPrecisionWeight.rows == outChannels && lowPrecisionWeight.cols == patch, "conv: bf16 kernel shape")
            let columnsBF16 = linearScratch.halves(patch * positions)
            BFloat16.convert(columns, to: columnsBF16, count: patch * positions)
            let done = bits.withUnsafeBufferPointer {
                OneDNN.multiply(.bf16, a: $0.baseAddress!, m: outChannels, k: patch, w: columnsBF16, n: positions,
                                c: output, ldc: positions, accumulate: beta == 1, kMajor: true)
            }
            if done { return }
        }
        BLAS.sgemm(
            m: outChannels, n: positions, k: patch,
            a: weight, lda: patch, b: columns, ldb: positions,
            beta: beta, c: output, ldc: ldc)
    }
}
