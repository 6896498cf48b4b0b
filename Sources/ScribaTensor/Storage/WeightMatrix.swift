// A linear layer's weight matrix in the precision it is kept in for inference: rows = output
// features, cols = input features (PyTorch's [out, in] layout, as checkpoints store it). A decode
// step streams every weight once per token, so storing bf16 (2 bytes) or int8 (1 byte + scales)
// instead of f32 (4 bytes) cuts the bytes read, and with them the time, about 2× or 4×.
// `GEMV.multiply` does y = W·x with f32 accumulation whatever the storage.

/// How a `WeightMatrix` keeps its values.
public enum WeightPrecision: Sendable, Hashable, CustomStringConvertible {
    case f32
    /// bfloat16 bit patterns; exact for weights released in bf16 (Qwen3), round-to-nearest-even otherwise.
    case bf16
    /// Symmetric int8, q = round(w / scale) in [-127, 127], one Float scale per `groupSize` columns of
    /// a row (nil: one scale per row, i.e. per output channel). A group size must be a multiple of 16
    /// (the SIMD width) so no vector straddles two groups.
    case int8(groupSize: Int? = nil)

    /// From a command-line word: "f32", "bf16", "int8" (group-wise, 128 columns per scale: the
    /// accuracy of per-channel scales is worse on wide rows) or "int8-row"; nil for anything else.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "f32", "fp32", "float32": self = .f32
        case "bf16", "bfloat16": self = .bf16
        case "int8": self = .int8(groupSize: 128)
        case "int8-row": self = .int8(groupSize: nil)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .f32: "f32"
        case .bf16: "bf16"
        case .int8(nil): "int8/row"
        case .int8(let size?): "int8/g\(size)"
        }
    }
}

/// Element type of raw weight bytes read from a checkpoint (little-endian, row-major).
public enum WeightSourceType: String, Sendable {
    case f32, f16, bf16

    public var byteWidth: Int { self == .f32 ? 4 : 2 }
}

public enum WeightMatrixError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidShape(rows: Int, cols: Int)
    case countMismatch(rows: Int, cols: Int, found: Int)
    case byteCountMismatch(rows: Int, cols: Int, type: WeightSourceType, found: Int)
    case invalidGroupSize(groupSize: Int, cols: Int)
    case nonFiniteWeight(row: Int, col: Int)

    public var description: String {
        switch self {
        case let .invalidShape(rows, cols):
            "weight matrix shape [\(rows), \(cols)] is invalid; both dimensions must be at least 1."
        case let .countMismatch(rows, cols, found):
            "weight matrix [\(rows), \(cols)] needs \(rows * cols) values but \(found) were given; check the tensor's shape."
        case let .byteCountMismatch(rows, cols, type, found):
            "weight matrix [\(rows), \(cols)] of \(type.rawValue) needs \(rows * cols * type.byteWidth) bytes but \(found) were given; "
                + "the tensor's dtype or shape does not match what the model expects."
        case let .invalidGroupSize(groupSize, cols):
            "int8 group size \(groupSize) does not suit \(cols) columns; use a positive multiple of 16 (e.g. 64 or 128), or nil for one scale per row."
        case let .nonFiniteWeight(row, col):
            "weight [\(row), \(col)] is NaN or infinite, so it cannot be quantised to int8; the checkpoint is damaged."
        }
    }
}

public struct WeightMatrix: Sendable {
    enum Storage: Sendable {
        case f32([Float])
        case bf16([UInt16])
        /// values: rows × cols; scales: rows × groupsPerRow.
        case int8(values: [Int8], scales: [Float])
    }

    public let rows: Int
    public let cols: Int
    public let precision: WeightPrecision
    /// Whether many-row products may run in the stored precision (oneDNN's bf16 / int8 matmul, fast,
    /// inputs rounded too) or must widen the weights to f32 for sgemm (exact to the stored values).
    /// Irrelevant for f32. Models set it from how the user asked for the precision.
    public var lowPrecisionProducts = true
    /// Columns sharing one int8 scale (cols for f32/bf16 and per-row int8).
    let groupSize: Int
    let storage: Storage

    public var groupsPerRow: Int { (cols + groupSize - 1) / groupSize }

    /// Bytes a GEMV streams: values plus int8 scales.
    public var byteCount: Int {
        switch storage {
        case .f32(let v): v.count * 4
        case .bf16(let v): v.count * 2
        case .int8(let v, let s): v.count + s.count * 4
        }
    }

    /// From f32 values in row-major [rows, cols] order.
    public init(rows: Int, cols: Int, values: UnsafeBufferPointer<Float>, precision: WeightPrecision) throws(WeightMatrixError) {
        try self.init(rows: rows, cols: cols, precision: precision, sourceCount: values.count) { row, scratch in
            scratch.update(from: values.baseAddress! + row * cols, count: cols)
        }
    }

    public init(rows: Int, cols: Int, values: [Float], precision: WeightPrecision) throws(WeightMatrixError) {
        let result = values.withUnsafeBufferPointer { buffer in
            Result { () throws(WeightMatrixError) in try WeightMatrix(rows: rows, cols: cols, values: buffer, precision: precision) }
        }
        self = try result.get()
    }

    /// From raw little-endian checkpoint bytes (safetensors / CTranslate2), possibly unaligned.
    /// bf16 bytes into bf16 storage are copied as they are; other combinations convert one row at a
    /// time through a row-sized scratch, never an f32 copy of the whole matrix.
    public init(rows: Int, cols: Int, bytes: UnsafeRawBufferPointer, type: WeightSourceType,
                precision: WeightPrecision) throws(WeightMatrixError) {
        guard rows > 0, cols > 0 else { throw .invalidShape(rows: rows, cols: cols) }
        guard bytes.count == rows * cols * type.byteWidth else {
            throw .byteCountMismatch(rows: rows, cols: cols, type: type, found: bytes.count)
        }
        let base = bytes.baseAddress!
        let rowBytes = cols * type.byteWidth
        try self.init(rows: rows, cols: cols, type: type, precision: precision) { base + $0 * rowBytes }
    }

    /// From raw little-endian rows that need not be contiguous: `rowBytes(r)` is the address of row
    /// r's `cols` values of `type`, possibly unaligned (rows of several checkpoint tensors can make one
    /// matrix, e.g. q|k|v). Rows are requested in order, once each.
    public init(rows: Int, cols: Int, type: WeightSourceType, precision: WeightPrecision,
                rowBytes: (Int) -> UnsafeRawPointer) throws(WeightMatrixError) {
        guard rows > 0, cols > 0 else { throw .invalidShape(rows: rows, cols: cols) }
        let byteCount = cols * type.byteWidth
        if type == .bf16, precision == .bf16 {
            var bits = [UInt16](repeating: 0, count: rows * cols)
            bits.withUnsafeMutableBytes { destination in
                for r in 0..<rows {
                    (destination.baseAddress! + r * byteCount).copyMemory(from: rowBytes(r), byteCount: byteCount)
                }
            }
            self.init(rows: rows, cols: cols, precision: precision, groupSize: cols, storage: .bf16(bits))
            return
        }
        var halves = [UInt16](repeating: 0, count: type == .f32 ? 0 : cols)
        try self.init(rows: rows, cols: cols, precision: precision, sourceCount: rows * cols) { row, scratch in
            let source = rowBytes(row)
            switch type {
            case .f32:
                UnsafeMutableRawPointer(scratch).copyMemory(from: source, byteCount: byteCount)
            case .bf16, .f16:
                halves.withUnsafeMutableBufferPointer { h in
                    UnsafeMutableRawPointer(h.baseAddress!).copyMemory(from: source, byteCount: byteCount)
                    if type == .bf16 {
                        BFloat16.convert(UnsafePointer(h.baseAddress!), to: scratch, count: cols)
                    } else {
                        HalfFloat.convert(UnsafePointer(h.baseAddress!), to: scratch, count: cols)
                    }
                }
            }
        }
    }

    init(rows: Int, cols: Int, precision: WeightPrecision, groupSize: Int, storage: Storage) {
        self.rows = rows
        self.cols = cols
        self.precision = precision
        self.groupSize = groupSize
        self.storage = storage
    }

    /// Shared builder: `fillRow(row, scratch)` writes row `row` as f32 into a cols-sized scratch.
    private init(rows: Int, cols: Int, precision: WeightPrecision, sourceCount: Int,
                 fillRow: (Int, UnsafeMutablePointer<Float>) -> Void) throws(WeightMatrixError) {
        guard rows > 0, cols > 0 else { throw .invalidShape(rows: rows, cols: cols) }
        guard sourceCount == rows * cols else { throw .countMismatch(rows: rows, cols: cols, found: sourceCount) }
        let groupSize: Int
        if case .int8(let size?) = precision {
            guard size > 0, size % VectorMath.width == 0 else { throw .invalidGroupSize(groupSize: size, cols: cols) }
            groupSize = min(size, cols)
        } else {
            groupSize = cols
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cols)
        defer { scratch.deallocate() }
        let storage: Storage
        switch precision {
        case .f32:
            var values = [Float](repeating: 0, count: rows * cols)
            values.withUnsafeMutableBufferPointer { v in
                for r in 0..<rows { fillRow(r, v.baseAddress! + r * cols) }
            }
            storage = .f32(values)
        case .bf16:
            var bits = [UInt16](repeating: 0, count: rows * cols)
            bits.withUnsafeMutableBufferPointer { b in
                for r in 0..<rows {
                    fillRow(r, scratch)
                    BFloat16.convert(UnsafePointer(scratch), to: b.baseAddress! + r * cols, count: cols)
                }
            }
            storage = .bf16(bits)
        case .int8:
            let groups = (cols + groupSize - 1) / groupSize
            var values = [Int8](repeating: 0, count: rows * cols)
            var scales = [Float](repeating: 0, count: rows * groups)
            var badColumn: (Int, Int)?
            values.withUnsafeMutableBufferPointer { v in
                scales.withUnsafeMutableBufferPointer { s in
                    for r in 0..<rows {
                        fillRow(r, scratch)
                        if let col = Int8Quantization.quantizeRow(
                            scratch, count: cols, groupSize: groupSize,
                            values: v.baseAddress! + r * cols, scales: s.baseAddress! + r * groups) {
                            badColumn = (r, col)
                            return
                        }
                    }
                }
            }
            if let (row, col) = badColumn { throw .nonFiniteWeight(row: row, col: col) }
            storage = .int8(values: values, scales: scales)
        }
        self.init(rows: rows, cols: cols, precision: precision, groupSize: groupSize, storage: storage)
    }

    /// Row `row` as the f32 values a GEMV multiplies by (dequantised for int8). For tests and tools.
    public func dequantizedRow(_ row: Int) -> [Float] {
        precondition(row >= 0 && row < rows, "row \(row) outside 0..<\(rows)")
        let start = row * cols
        switch storage {
        case .f32(let v):
            return Array(v[start..<(start + cols)])
        case .bf16(let v):
            return v[start..<(start + cols)].map { Float(bitPattern: UInt32($0) << 16) }
        case .int8(let v, let s):
            return (0..<cols).map { c in Float(v[start + c]) * s[row * groupsPerRow + c / groupSize] }
        }
    }

    /// The int8 scales of `row` (one per group); empty for f32/bf16.
    public func scales(row: Int) -> [Float] {
        guard case .int8(_, let s) = storage else { return [] }
        return Array(s[(row * groupsPerRow)..<((row + 1) * groupsPerRow)])
    }
}

extension WeightMatrix {
    /// Writes rows `range` as f32 (dequantised for int8, widened for bf16) to `destination`
    /// ([range.count × cols], row-major): the tile a GEMM multiplies by. Allocates nothing.
    public func dequantizeRows(_ range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        let count = range.count * cols
        let start = range.lowerBound * cols
        switch storage {
        case .f32(let v):
            v.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + start, count: count) }
        case .bf16(let v):
            v.withUnsafeBufferPointer { BFloat16.convert($0.baseAddress! + start, to: destination, count: count) }
        case .int8(let v, let s):
            v.withUnsafeBufferPointer { values in
                s.withUnsafeBufferPointer { scales in
                    for (i, r) in range.enumerated() {
                        let q = values.baseAddress! + r * cols
                        let out = destination + i * cols
                        for g in 0..<groupsPerRow {
                            let scale = scales[r * groupsPerRow + g]
                            for c in (g * groupSize)..<min((g + 1) * groupSize, cols) { out[c] = Float(q[c]) * scale }
                        }
                    }
                }
            }
        }
    }

    /// Row `row` as f32 into `destination` [cols]: an embedding lookup without widening the table.
    public func copyRow(_ row: Int, into destination: UnsafeMutablePointer<Float>) {
        dequantizeRows(row..<(row + 1), into: destination)
    }

    /// Runs `body` on the f32 values when stored as f32 (GEMM can use them in place); nil otherwise.
    public func withF32Values<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R? {
        guard case .f32(let v) = storage else { return nil }
        return try v.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

extension WeightMatrix {
    /// Rows `range` of an int8 matrix as bf16 bit patterns (q · scale, rounded to nearest even) into
    /// `destination` [range.count × cols]: the tile oneDNN's bf16 matmul multiplies by. Only for int8
    /// storage. Allocates nothing.
    func dequantizeRowsToBF16(_ range: Range<Int>, into destination: UnsafeMutablePointer<UInt16>) {
        guard case .int8(let values, let scales) = storage else { preconditionFailure("dequantizeRowsToBF16 needs int8 storage") }
        values.withUnsafeBufferPointer { v in
            scales.withUnsafeBufferPointer { s in
                for r in range {
                    let q = v.baseAddress! + r * cols
                    let out = destination + (r - range.lowerBound) * cols
                    for g in 0..<groupsPerRow {
                        let scale = s[r * groupsPerRow + g]
                        let end = min((g + 1) * groupSize, cols)
                        var c = g * groupSize
                        while c + 16 <= end {
                            let bytes = UnsafeRawPointer(q + c).loadUnaligned(as: SIMD16<Int8>.self)
                            let widened = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bytes)) * scale
                            let bits = unsafeBitCast(widened, to: SIMD16<UInt32>.self)
                            // Round to nearest even, as BFloat16.narrow (int8 · scale is never NaN).
                            let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
                            UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: rounded), as: SIMD16<UInt16>.self)
                            c += 16
                        }
                        while c < end {
                            out[c] = BFloat16(Float(q[c]) * scale).bitPattern
                            c += 1
                        }
                    }
                }
            }
        }
    }
}
