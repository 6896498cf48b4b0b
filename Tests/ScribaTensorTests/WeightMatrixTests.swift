import Testing
import ScribaTensor

private func littleEndianBytes(_ halves: [UInt16], offset: Int) -> [UInt8] {
    [UInt8](repeating: 0xEE, count: offset) + halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}

@Test func bf16BytesBecomeBF16StorageUnchanged() throws {
    let rows = 3, cols = 19
    let floats = randomFloats(rows * cols, seed: 201)
    let bits = floats.map { BFloat16($0).bitPattern }
    // Offset 1: checkpoint tensors need not be 2-byte aligned in memory.
    let bytes = littleEndianBytes(bits, offset: 1)
    let w = try bytes.withUnsafeBytes { raw in
        try WeightMatrix(rows: rows, cols: cols, bytes: UnsafeRawBufferPointer(rebasing: raw[1...]), type: .bf16, precision: .bf16)
    }
    for r in 0..<rows {
        #expect(w.dequantizedRow(r) == (0..<cols).map { Float(bitPattern: UInt32(bits[r * cols + $0]) << 16) })
    }
}

@Test func f16BytesConvertPerRowToEveryPrecision() throws {
    let rows = 4, cols = 33
    let floats = randomFloats(rows * cols, seed: 211)
    let halves = floats.map { Float16($0).bitPattern }
    let widened = halves.map { Float(Float16(bitPattern: $0)) }
    let bytes = littleEndianBytes(halves, offset: 3)
    try bytes.withUnsafeBytes { raw in
        let source = UnsafeRawBufferPointer(rebasing: raw[3...])
        let f32 = try WeightMatrix(rows: rows, cols: cols, bytes: source, type: .f16, precision: .f32)
        let bf16 = try WeightMatrix(rows: rows, cols: cols, bytes: source, type: .f16, precision: .bf16)
        let int8 = try WeightMatrix(rows: rows, cols: cols, bytes: source, type: .f16, precision: .int8(groupSize: 16))
        let int8FromFloats = try WeightMatrix(rows: rows, cols: cols, values: widened, precision: .int8(groupSize: 16))
        for r in 0..<rows {
            let expected = Array(widened[(r * cols)..<((r + 1) * cols)])
            #expect(f32.dequantizedRow(r) == expected)
            #expect(bf16.dequantizedRow(r) == expected.map { BFloat16($0).floatValue })
            #expect(int8.dequantizedRow(r) == int8FromFloats.dequantizedRow(r))
            #expect(int8.scales(row: r) == int8FromFloats.scales(row: r))
        }
    }
}

@Test func f32BytesMatchFloatInit() throws {
    let rows = 2, cols = 5
    let floats: [Float] = [1, -2, 0.5, 3.25, -0.125, 7, 8, -9, 10.5, 0]
    let bytes = floats.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    let w = try bytes.withUnsafeBytes { try WeightMatrix(rows: rows, cols: cols, bytes: $0, type: .f32, precision: .f32) }
    #expect(w.dequantizedRow(0) == [1, -2, 0.5, 3.25, -0.125])
    #expect(w.dequantizedRow(1) == [7, 8, -9, 10.5, 0])
}

@Test func badShapesAndValuesAreTypedErrors() throws {
    #expect(throws: WeightMatrixError.countMismatch(rows: 2, cols: 3, found: 5)) {
        try WeightMatrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5], precision: .f32)
    }
    #expect(throws: WeightMatrixError.invalidShape(rows: 0, cols: 3)) {
        try WeightMatrix(rows: 0, cols: 3, values: [], precision: .bf16)
    }
    #expect(throws: WeightMatrixError.byteCountMismatch(rows: 2, cols: 2, type: .bf16, found: 6)) {
        try [UInt8](repeating: 0, count: 6).withUnsafeBytes {
            try WeightMatrix(rows: 2, cols: 2, bytes: $0, type: .bf16, precision: .bf16)
        }
    }
    #expect(throws: WeightMatrixError.invalidGroupSize(groupSize: 24, cols: 4)) {
        try WeightMatrix(rows: 1, cols: 4, values: [1, 2, 3, 4], precision: .int8(groupSize: 24))
    }
    #expect(throws: WeightMatrixError.nonFiniteWeight(row: 1, col: 0)) {
        try WeightMatrix(rows: 2, cols: 2, values: [1, 2, .nan, 4], precision: .int8())
    }
    let message = WeightMatrixError.byteCountMismatch(rows: 2, cols: 2, type: .bf16, found: 6).description
    #expect(message.contains("needs 8 bytes but 6"))
}
