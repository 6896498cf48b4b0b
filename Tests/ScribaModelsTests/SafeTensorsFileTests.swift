import Foundation
import Testing
@testable import ScribaModels

/// Reads Tests/Fixtures/safetensors/tiny.safetensors, written by the reference Python writer
/// (scripts/fixtures/make_safetensors_fixtures.py); every expected number restates that script's inputs.
@Suite struct SafeTensorsFileTests {
    let file: SafeTensorsFile

    init() throws {
        file = try SafeTensorsFile(url: SafeTensorsTestSupport.fixtures.appendingPathComponent("tiny.safetensors"))
    }

    @Test func pythonFileListsEveryTensorWithDTypeShapeAndMetadata() throws {
        #expect(file.names == ["bf16.values", "empty", "f16.values", "f32.arange", "i64.index", "i8.ramp", "u8.bytes"])
        #expect(file.metadata == ["format": "pt", "source": "scriba fixture"])
        let expected: [String: (DType, [Int])] = [
            "f32.arange": (.f32, [3, 4]), "f16.values": (.f16, [10]), "bf16.values": (.bf16, [2, 3]),
            "i8.ramp": (.i8, [8]), "u8.bytes": (.u8, [5]), "i64.index": (.i64, [2]), "empty": (.f32, [0, 3]),
        ]
        for (name, (dtype, shape)) in expected {
            let info = try file.info(name)
            #expect(info.dtype == dtype, "\(name)")
            #expect(info.shape == shape, "\(name)")
            #expect(info.byteRange.count == shape.reduce(dtype.byteSize, *), "\(name)")
        }
    }

    @Test func byteRangesAreAbsoluteFileOffsets() throws {
        let headerLength = try Data(contentsOf: file.url).prefix(8).withUnsafeBytes {
            Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))
        }
        // The reference pads the header to a multiple of 8. It laid out i64.index first
        // (data_offsets [0, 16]) and f32.arange at [16, 64].
        #expect(headerLength % 8 == 0)
        #expect(try file.info("i64.index").byteRange == (8 + headerLength)..<(8 + headerLength + 16))
        #expect(try file.info("f32.arange").byteRange == (8 + headerLength + 16)..<(8 + headerLength + 64))
        // Data bytes: I64 2×8 + F32 0 + F32 12×4 + BF16 6×2 + F16 10×2 + I8 8 + U8 5 = 109.
        #expect(file.byteCount == 8 + headerLength + 109)
    }

    @Test func f32IsReadExactly() throws {
        // torch.arange(12) * 0.5 - 2.0 → -2.0, -1.5, ..., 3.5
        #expect(try file.floats("f32.arange") == (0..<12).map { Float($0) * 0.5 - 2 })
        let tensor = try file.tensor("f32.arange")
        #expect(tensor.shape == [3, 4])
        #expect(tensor.row(1) == [0, 0.5, 1, 1.5])
    }

    @Test func f16IsWidenedExactlyIncludingSubnormalsAndInfinities() throws {
        // 10 values: one 8-lane SIMD block plus a 2-element tail.
        let expected: [Float] = [0, 1, -2.5, 65504, 0x1p-24, 0x1p-14 - 0x1p-24, -0.0, .infinity, -.infinity,
                                 0.333251953125]
        // Bit patterns, so -0.0 is told apart from 0.0.
        #expect(try file.floats("f16.values").map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func bf16IsWidenedExactly() throws {
        let expected: [Float] = [1, -3.140625, 256, 0.0078125, -0.0, 0.333984375]
        #expect(try file.floats("bf16.values").map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func int8AndUInt8AreReadableAsRawBytes() throws {
        let ramp = try file.withRawBytes("i8.ramp") { $0.map { Int8(bitPattern: $0) } }
        #expect(ramp == [-4, -3, -2, -1, 0, 1, 2, 3])
        #expect(try file.withRawBytes("u8.bytes") { Array($0) } == [0, 1, 127, 128, 255])
    }

    @Test func int64IsListedAndRawReadableButNotAsFloats() throws {
        let values = try file.withRawBytes("i64.index") { raw in
            (0..<2).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
        #expect(values == [1, 1 << 40])
        #expect(throws: ModelLoadError.unsupportedDType(file.url, tensor: "i64.index", dtype: "I64")) {
            try file.floats("i64.index")
        }
    }

    @Test func emptyTensorHasShapeAndNoValues() throws {
        #expect(try file.floats("empty") == [])
        #expect(try file.info("empty").elementCount == 0)
    }

    @Test func unknownNameIsTensorMissing() {
        #expect(throws: ModelLoadError.tensorMissing(name: "nope", in: file.url)) { try file.floats("nope") }
    }

    @Test func copyFloatsFillsCallerStorageAndChecksItsSize() throws {
        var storage = [Float](repeating: .nan, count: 6)
        try storage.withUnsafeMutableBufferPointer { try file.copyFloats("bf16.values", into: $0) }
        #expect(storage == [1, -3.140625, 256, 0.0078125, 0, 0.333984375])
        var short = [Float](repeating: 0, count: 5)
        #expect(throws: ModelLoadError.shapeMismatch(tensor: "bf16.values", expected: [5], found: [2, 3], file: file.url)) {
            try short.withUnsafeMutableBufferPointer { try file.copyFloats("bf16.values", into: $0) }
        }
    }

    @Test func everyHalfAndBFloat16BitPatternWidensExactly() throws {
        let folder = try SafeTensorsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("all.safetensors")
        let patterns = Data((0...UInt16.max).flatMap { SafeTensorsTestSupport.littleEndianBytes($0) })
        try SafeTensorsWriter.write(tensors: [("h", .f16, [65536], patterns), ("b", .bf16, [65536], patterns)], to: url)
        let all = try SafeTensorsFile(url: url)

        let bf16 = try all.floats("b")
        #expect(bf16.indices.allSatisfy { bf16[$0].bitPattern == UInt32($0) << 16 })

        let f16 = try all.floats("h")
        var mismatches = 0
        for pattern in 0...Int(UInt16.max) {
            let reference = Self.halfToFloatReference(UInt16(pattern))
            let ok = reference.isNaN ? f16[pattern].isNaN : f16[pattern].bitPattern == reference.bitPattern
            if !ok { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Scalar IEEE 754 binary16 decoding by the textbook formula, independent of the SIMD bit trick.
    static func halfToFloatReference(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}

/// Shared by the SafeTensors*Tests files.
enum SafeTensorsTestSupport {
    /// Tests/Fixtures/safetensors, found by walking up from this source file.
    static var fixtures: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if url.lastPathComponent == "Tests" { break }
        }
        return url.appendingPathComponent("Fixtures").appendingPathComponent("safetensors")
    }

    /// A fresh empty folder; the caller removes it.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func floatBytes(_ values: [Float]) -> Data {
        Data(values.flatMap { littleEndianBytes($0.bitPattern) })
    }
}
