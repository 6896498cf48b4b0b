import Foundation
import Testing
@testable import ScribaModels
import ScribaTestSupport

/// Reader tests on tiny models written by CTranslate2's own serializer (fixtures) and on byte
/// strings built here to exercise each damaged-file path.
@Suite struct CTranslate2ModelTests {
    // MARK: - Round trip against CTranslate2's serializer

    @Test(arguments: ["ct2-tiny", "ct2-tiny-int8"])
    func tinyModelMatchesSerializer(folder: String) throws {
        let expected = try #require(try TinyExpectation.load()[folder])
        let model = try CTranslate2Model(folder: CT2Fixtures.whisper.appendingPathComponent(folder))

        #expect(model.binaryVersion == expected.binary_version)
        #expect(model.specName == expected.spec_name)
        #expect(model.specRevision == expected.spec_revision)
        #expect(model.names == expected.variables.keys.sorted())
        #expect(model.aliases == expected.aliases)
        #expect(model.trailingByteCount == 0)

        for (name, variable) in expected.variables {
            let info = try model.info(name)
            #expect(info.dtype.description == variable.dtype, "\(name)")
            #expect(info.shape == variable.shape, "\(name)")
            let bits = try model.floats(name).map(\.bitPattern)
            #expect(bits == variable.float_bits, "\(name)")
        }
        for (alias, target) in expected.aliases {
            #expect(try model.info(alias) == model.info(target))
            #expect(try model.floats(alias) == model.floats(target))
            #expect(model.contains(alias))
        }
    }

    @Test func int8WeightsComeBackRawWithTheirScale() throws {
        let model = try CTranslate2Model(folder: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny-int8"))
        let float32 = try CTranslate2Model(folder: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny"))
        let raw = try model.int8s("dense/weight")
        let scale = try model.floats("dense/weight_scale")
        let original = try float32.floats("dense/weight")
        #expect(raw.count == 12 && scale.count == 3)
        // CTranslate2 quantizes each row to ±127 of its max |w|, so raw / scale is within half a step.
        for row in 0..<3 {
            #expect(raw[(row * 4)..<(row * 4 + 4)].map { abs(Int($0)) }.max() == 127)
            for column in 0..<4 {
                let value = Float(raw[row * 4 + column]) / scale[row]
                #expect(abs(value - original[row * 4 + column]) <= 0.5 / scale[row] + 1e-6)
            }
        }
    }

    @Test func scalarsStringsAndTypeErrors() throws {
        let model = try CTranslate2Model(folder: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny"))
        #expect(try model.scalarInt("num_heads") == -7)
        #expect(try model.scalarInt("pre_norm") == 1)
        #expect(try model.floats("scale") == [0.125])
        #expect(try model.tensor("half").shape == [3, 3])
        #expect(try model.tensor("scale").shape == [])
        let label = try model.int8s("label").map { UInt8(bitPattern: $0) }
        #expect(String(decoding: label, as: UTF8.self) == "gelu")
        #expect(try model.floats("counts") == [1, -2, 2_000_000_000])

        #expect(throws: CTranslate2Error.dtypeMismatch(variable: "scale", requested: "an integer type",
                                                       found: .float32, file: model.url)) {
            try model.scalarInt("scale")
        }
        #expect(throws: CTranslate2Error.notAScalar(variable: "counts", shape: [3], file: model.url)) {
            try model.scalarInt("counts")
        }
        #expect(throws: CTranslate2Error.dtypeMismatch(variable: "half", requested: "int8",
                                                       found: .float16, file: model.url)) {
            try model.int8s("half")
        }
        #expect(throws: ModelLoadError.tensorMissing(name: "dense/kernel", in: model.url)) {
            try model.floats("dense/kernel")
        }
    }

    @Test func copyFloatsFillsPreallocatedStorageAndChecksSize() throws {
        let model = try CTranslate2Model(folder: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny"))
        var storage = [Float](repeating: .nan, count: 9)
        try storage.withUnsafeMutableBufferPointer { try model.copyFloats("half", into: $0) }
        #expect(storage == (try model.floats("half")))
        #expect(storage[3] == 65504 && storage[4] == .infinity && storage[5] == -.infinity)
        #expect(storage[0] == 0 && storage[0].sign == .minus)
        #expect(storage[1] == 0x1p-24)

        var wrong = [Float](repeating: 0, count: 8)
        #expect(throws: ModelLoadError.self) {
            try wrong.withUnsafeMutableBufferPointer { try model.copyFloats("half", into: $0) }
        }
    }

    // MARK: - Conversions

    #if !(os(macOS) && arch(x86_64))
    @Test func halfConversionMatchesFloat16ForEveryBitPattern() {
        var mismatches = 0
        for pattern in 0...UInt16.max {
            let ours = CTranslate2Model.halfToFloat(pattern)
            let reference = Float(Float16(bitPattern: pattern))
            if reference.isNaN {
                if !ours.isNaN { mismatches += 1 }
            } else if ours.bitPattern != reference.bitPattern {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
    #endif

    @Test func bfloat16AndLegacyVersionsRead() throws {
        // bfloat16 1.5 = 0x3FC0, -2 = 0xC000.
        var writer = CT2ByteWriter(version: 6)
        writer.variable("b", shape: [2], dtype: 5, payload: [0xC0, 0x3F, 0x00, 0xC0])
        writer.aliases([])
        let url = try writer.write()
        #expect(try CTranslate2Model(contentsOf: url).floats("b") == [1.5, -2])

        // Version 3: the byte after the dims is the item size and the u32 an element count.
        var legacy = CT2ByteWriter(version: 3)
        legacy.legacyVariable("w", shape: [2], itemSize: 4, elements: 2, payload: floatBytes([0.25, -8]))
        legacy.legacyVariable("n", shape: [], itemSize: 2, elements: 1, payload: [0x05, 0x00])
        legacy.aliases([("w2", "w")])
        let legacyModel = try CTranslate2Model(contentsOf: try legacy.write())
        #expect(try legacyModel.floats("w2") == [0.25, -8])
        #expect(try legacyModel.info("n").dtype == .int16)
        #expect(try legacyModel.scalarInt("n") == 5)

        // Version 1: no spec name, no revision, no alias table.
        var v1 = CT2ByteWriter(version: 1, spec: nil)
        v1.legacyVariable("x", shape: [1], itemSize: 1, elements: 1, payload: [0xFF])
        let v1Model = try CTranslate2Model(contentsOf: try v1.write())
        #expect(v1Model.specName == "" && v1Model.specRevision == 1)
        #expect(try v1Model.int8s("x") == [-1])
    }

    // MARK: - Damaged files

    @Test func everyTruncationIsReportedAsTruncated() throws {
        let source = CT2Fixtures.whisper.appendingPathComponent("ct2-tiny/model.bin")
        let bytes = try Data(contentsOf: source)
        let full = try CTranslate2Model(contentsOf: source)
        let halfStart = try full.info("half").byteOffset
        let directory = try CT2ByteWriter.temporaryDirectory()
        var truncatedCount = 0
        for length in 0..<bytes.count {
            let url = directory.appendingPathComponent("cut-\(length).bin")
            try bytes.prefix(length).write(to: url)
            do {
                _ = try CTranslate2Model(contentsOf: url)
                Issue.record("a \(length)-byte prefix of \(bytes.count) loaded without error")
            } catch let error as ModelLoadError {
                if case .truncated(_, let detail) = error {
                    truncatedCount += 1
                    // Cut inside the float16 data: the message names the variable.
                    if length > halfStart && length < halfStart + 18 {
                        #expect(detail.contains("'half'"), "\(detail)")
                    }
                } else {
                    Issue.record("prefix \(length): \(error)")
                }
            }
        }
        #expect(truncatedCount == bytes.count)
    }

    @Test func trailingBytesAreIgnoredAndCounted() throws {
        var bytes = try Data(contentsOf: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny/model.bin"))
        bytes.append(contentsOf: [1, 2, 3, 4, 5])
        let url = try CT2ByteWriter.temporaryDirectory().appendingPathComponent("model.bin")
        try bytes.write(to: url)
        let model = try CTranslate2Model(contentsOf: url)
        #expect(model.trailingByteCount == 5)
        #expect(try model.scalarInt("num_heads") == -7)
    }

    @Test func malformedHeadersAreRejectedWithTheVariableNamed() throws {
        func load(_ writer: CT2ByteWriter) throws -> ModelLoadError? {
            do { _ = try CTranslate2Model(contentsOf: try writer.write()); return nil }
            catch let error as ModelLoadError { return error }
        }
        func isMalformed(_ error: ModelLoadError?, mentioning text: String) -> Bool {
            if case .malformedHeader(_, let detail)? = error { return detail.contains(text) }
            return false
        }
        func isTruncated(_ error: ModelLoadError?, mentioning text: String) -> Bool {
            if case .truncated(_, let detail)? = error { return detail.contains(text) }
            return false
        }

        // A newer binary version than the reader knows.
        #expect(isMalformed(try load(CT2ByteWriter(version: 7)), mentioning: "binary version 7"))
        #expect(isMalformed(try load(CT2ByteWriter(version: 0)), mentioning: "binary version 0"))

        // Declared byte count disagrees with shape × dtype.
        var sized = CT2ByteWriter(version: 6)
        sized.variable("enc/w", shape: [2, 3], dtype: 0, byteCount: 20, payload: [UInt8](repeating: 0, count: 20))
        #expect(isMalformed(try load(sized), mentioning: "('enc/w') declares 20 bytes, but shape [2, 3] of float32 needs 24"))

        // Unknown dtype id.
        var dtype = CT2ByteWriter(version: 6)
        dtype.variable("q", shape: [1], dtype: 9, payload: [0])
        #expect(try load(dtype) == .unsupportedDType(dtype.url, tensor: "q", dtype: "CTranslate2 type id 9"))

        // A huge variable count on a tiny file: truncated, not a 4-billion-entry allocation.
        var count = CT2ByteWriter(version: 6)
        count.rawVariableCount = UInt32.max
        #expect(isTruncated(try load(count), mentioning: "variable 1 of 4294967295"))

        // Huge dimensions: rejected before any read of the data.
        var huge = CT2ByteWriter(version: 6)
        huge.variable("big", shape: [UInt32.max, UInt32.max, UInt32.max], dtype: 4, byteCount: 0, payload: [])
        #expect(isMalformed(try load(huge), mentioning: "too large"))

        // Data runs past the end of the file.
        var short = CT2ByteWriter(version: 6)
        short.variable("dec/b", shape: [1000], dtype: 4, byteCount: 2000, payload: [0, 0])
        #expect(isTruncated(try load(short), mentioning: "the data of variable 1 of 1 ('dec/b') needs 2000 bytes"))

        // The same name twice.
        var twice = CT2ByteWriter(version: 6)
        twice.variable("a", shape: [], dtype: 1, payload: [1])
        twice.variable("a", shape: [], dtype: 1, payload: [2])
        twice.aliases([])
        #expect(isMalformed(try load(twice), mentioning: "'a' is stored twice"))

        // An alias to nothing.
        var dangling = CT2ByteWriter(version: 6)
        dangling.variable("a", shape: [], dtype: 1, payload: [1])
        dangling.aliases([("b", "missing")])
        #expect(isMalformed(try load(dangling), mentioning: "'b' points to 'missing'"))

        // A zero-length string (CTranslate2 would build a std::string from a null pointer).
        var empty = CT2ByteWriter(version: 6)
        empty.rawName = []
        empty.variable("ignored", shape: [], dtype: 1, payload: [1])
        #expect(isMalformed(try load(empty), mentioning: "length 0"))

        // Invalid UTF-8 in a name.
        var utf = CT2ByteWriter(version: 6)
        utf.rawName = [0xFF, 0xFE, 0x00]
        utf.variable("ignored", shape: [], dtype: 1, payload: [1])
        #expect(isMalformed(try load(utf), mentioning: "not UTF-8"))
    }

    @Test func missingAndUnreadablePathsAreTyped() throws {
        let directory = try CT2ByteWriter.temporaryDirectory()
        let missing = directory.appendingPathComponent("nope/model.bin")
        #expect(throws: ModelLoadError.fileMissing(missing)) { try CTranslate2Model(contentsOf: missing) }
        #expect(throws: ModelLoadError.unreadable(directory, reason: "not a regular file")) {
            try CTranslate2Model(contentsOf: directory)
        }
        let empty = directory.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        #expect(throws: ModelLoadError.truncated(empty, detail: "the binary version needs 4 bytes at offset 0, only 0 left")) {
            try CTranslate2Model(contentsOf: empty)
        }
    }
}

// MARK: - Helpers

enum CT2Fixtures {
    static let root = TestLocations.fixtures
    static var whisper: URL { root.appendingPathComponent("whisper") }
}

/// `ct2-tiny.expected.json`, written by scripts/fixtures/make_whisper_fixtures.py from the spec it saved.
struct TinyExpectation: Decodable {
    struct Variable: Decodable {
        let dtype: String
        let shape: [Int]
        let float_bits: [UInt32]
    }
    let binary_version: Int
    let spec_name: String
    let spec_revision: Int
    let variables: [String: Variable]
    let aliases: [String: String]

    static func load() throws -> [String: TinyExpectation] {
        let data = try Data(contentsOf: CT2Fixtures.whisper.appendingPathComponent("ct2-tiny.expected.json"))
        return try JSONDecoder().decode([String: TinyExpectation].self, from: data)
    }
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Builds CTranslate2 files byte by byte, including deliberately broken ones.
struct CT2ByteWriter {
    private var body: [UInt8] = []
    private var header: [UInt8] = []
    private var variableCount: UInt32 = 0
    /// Overrides the variable count written in the header.
    var rawVariableCount: UInt32?
    /// Overrides the encoded bytes of the next variable's name (written with its length as is).
    var rawName: [UInt8]?
    let url: URL

    init(version: UInt32, spec: String? = "TestSpec") {
        url = (try? Self.temporaryDirectory().appendingPathComponent("model.bin")) ?? URL(fileURLWithPath: "/nonexistent")
        header += le(version)
        if let spec { header += Self.string(spec) + le(UInt32(1)) }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-ct2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    mutating func variable(_ name: String, shape: [UInt32], dtype: UInt8, byteCount: UInt32? = nil, payload: [UInt8]) {
        appendName(name)
        body.append(UInt8(shape.count))
        for dimension in shape { body += le(dimension) }
        body.append(dtype)
        body += le(byteCount ?? UInt32(payload.count))
        body += payload
        variableCount += 1
    }

    mutating func legacyVariable(_ name: String, shape: [UInt32], itemSize: UInt8, elements: UInt32, payload: [UInt8]) {
        appendName(name)
        body.append(UInt8(shape.count))
        for dimension in shape { body += le(dimension) }
        body.append(itemSize)
        body += le(elements)
        body += payload
        variableCount += 1
    }

    mutating func aliases(_ pairs: [(String, String)]) {
        body += le(UInt32(pairs.count))
        for (alias, target) in pairs { body += Self.string(alias) + Self.string(target) }
    }

    func write() throws -> URL {
        let bytes = header + le(rawVariableCount ?? variableCount) + body
        try Data(bytes).write(to: url)
        return url
    }

    private mutating func appendName(_ name: String) {
        if let raw = rawName {
            body += le(UInt16(raw.count)) + raw
            rawName = nil
        } else {
            body += Self.string(name)
        }
    }

    private static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8) + [0]
        return le(UInt16(bytes.count)) + bytes
    }
}

private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
