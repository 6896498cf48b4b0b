import Foundation
import Testing
@testable import ScribaModels

/// Each malformation, crafted byte by byte, must produce its own ModelLoadError case naming the
/// file (and the tensor where there is one).
@Suite struct SafeTensorsValidationTests {
    /// Writes `[declared length, little-endian u64][header][data]` to a temporary file.
    private static func craft(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil,
                              in folder: URL) throws -> URL {
        try craft(bytes: Array(header.utf8), data: data, declaredLength: declaredLength, in: folder)
    }

    private static func craft(bytes header: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil,
                              in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("bad.safetensors")
        let length = declaredLength ?? UInt64(header.count)
        try Data(SafeTensorsTestSupport.littleEndianBytes(length) + header + data).write(to: url)
        return url
    }

    private func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = try SafeTensorsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test(arguments: [0, 5, 7])
    func fileShorterThanEightBytesIsFileTooSmall(byteCount: Int) throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("short.safetensors")
            try Data(repeating: 0x20, count: byteCount).write(to: url)
            #expect(throws: ModelLoadError.fileTooSmall(url, byteCount: byteCount)) { try SafeTensorsFile(url: url) }
        }
    }

    @Test func absurdHeaderLengthIsHeaderTooLarge() throws {
        try withFolder { folder in
            let url = try Self.craft("{}", declaredLength: 100_000_001, in: folder)
            #expect(throws: ModelLoadError.headerTooLarge(url, declared: 100_000_001, limit: 100_000_000)) {
                try SafeTensorsFile(url: url)
            }
        }
    }

    @Test func headerLengthPastEndOfFileIsHeaderBeyondFile() throws {
        try withFolder { folder in
            // 8 + 2 header bytes = 10-byte file declaring a 64-byte header.
            let url = try Self.craft("{}", declaredLength: 64, in: folder)
            #expect(throws: ModelLoadError.headerBeyondFile(url, declared: 64, fileByteCount: 10)) {
                try SafeTensorsFile(url: url)
            }
            let error = ModelLoadError.headerBeyondFile(url, declared: 64, fileByteCount: 10)
            #expect(error.description.contains("bad.safetensors") && error.description.contains("download it again"))
        }
    }

    @Test func headerThatIsNotUTF8IsHeaderNotUTF8() throws {
        try withFolder { folder in
            let url = try Self.craft(bytes: [0x7B, 0xFF, 0xFE, 0x7D], in: folder)
            #expect(throws: ModelLoadError.headerNotUTF8(url)) { try SafeTensorsFile(url: url) }
        }
    }

    @Test(arguments: ["{\"w\": ", "[]", "", "null", "{\"w\": {\"dtype\": \"F32\"} trailing"])
    func headerThatIsNotAJSONObjectIsHeaderNotJSON(header: String) throws {
        try withFolder { folder in
            let url = try Self.craft(header, in: folder)
            let error = #expect(throws: ModelLoadError.self) { try SafeTensorsFile(url: url) }
            guard case .headerNotJSON(let reported, _) = error else {
                Issue.record("expected headerNotJSON, got \(String(describing: error))")
                return
            }
            #expect(reported == url)
        }
    }

    @Test(arguments: [
        (#"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, "missing dtype"),
        (#"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#, "missing shape"),
        (#"{"w": {"dtype": "F32", "shape": [1]}}"#, "missing data_offsets"),
        (#"{"w": {"dtype": 3, "shape": [1], "data_offsets": [0, 4]}}"#, "dtype is not a string"),
        (#"{"w": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}"#, "shape is not an array of integers"),
        (#"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, "shape is not an array of integers"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, "4"]}}"#, "data_offsets is not an array of integers"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 2, 4]}}"#, "data_offsets has 3 numbers"),
        (#"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "negative dimension"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#, "negative"),
        (#"{"w": [0, 4]}"#, "not an object"),
    ])
    func incompleteOrMistypedEntryIsTensorEntryInvalid(header: String, detailFragment: String) throws {
        try withFolder { folder in
            let url = try Self.craft(header, data: [0, 0, 0, 0], in: folder)
            let error = #expect(throws: ModelLoadError.self) { try SafeTensorsFile(url: url) }
            guard case .tensorEntryInvalid(let reported, let tensor, let detail) = error else {
                Issue.record("expected tensorEntryInvalid, got \(String(describing: error))")
                return
            }
            #expect(reported == url)
            #expect(tensor == "w")
            #expect(detail.contains(detailFragment), "\(detail)")
            #expect(error?.description.contains("bad.safetensors: header entry for tensor 'w'") == true)
        }
    }

    @Test func unknownDTypeIsUnknownDType() throws {
        try withFolder { folder in
            let url = try Self.craft(#"{"w": {"dtype": "F4", "shape": [2], "data_offsets": [0, 1]}}"#, data: [0], in: folder)
            #expect(throws: ModelLoadError.unknownDType(url, tensor: "w", dtype: "F4")) { try SafeTensorsFile(url: url) }
        }
    }

    @Test func endBeforeBeginIsTensorOffsetsReversed() throws {
        try withFolder { folder in
            let url = try Self.craft(#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#,
                                     data: Array(repeating: 0, count: 8), in: folder)
            #expect(throws: ModelLoadError.tensorOffsetsReversed(url, tensor: "w", begin: 8, end: 4)) {
                try SafeTensorsFile(url: url)
            }
        }
    }

    @Test func dataPastEndOfFileIsTensorBeyondFile() throws {
        try withFolder { folder in
            // F32 [4] needs 16 bytes; only 8 follow the header.
            let url = try Self.craft(#"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#,
                                     data: Array(repeating: 0, count: 8), in: folder)
            #expect(throws: ModelLoadError.tensorBeyondFile(url, tensor: "w", end: 16, dataByteCount: 8)) {
                try SafeTensorsFile(url: url)
            }
        }
    }

    @Test func byteCountNotMatchingShapeIsByteCountMismatch() throws {
        try withFolder { folder in
            // F32 [3] is 3 × 4 = 12 bytes, but the offsets span 8.
            let url = try Self.craft(#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#,
                                     data: Array(repeating: 0, count: 8), in: folder)
            #expect(throws: ModelLoadError.byteCountMismatch(url, tensor: "w", dtype: "F32", shape: [3], expected: 12, found: 8)) {
                try SafeTensorsFile(url: url)
            }
        }
    }

    @Test func shapeWhoseByteCountOverflowsIsTensorEntryInvalid() throws {
        try withFolder { folder in
            let url = try Self.craft(#"{"w": {"dtype": "F64", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}}"#,
                                     data: Array(repeating: 0, count: 8), in: folder)
            let error = #expect(throws: ModelLoadError.self) { try SafeTensorsFile(url: url) }
            guard case .tensorEntryInvalid(_, "w", let detail) = error else {
                Issue.record("expected tensorEntryInvalid, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("more bytes than can be addressed"))
        }
    }

    @Test func sharedBytesAreTensorsOverlap() throws {
        try withFolder { folder in
            let url = try Self.craft(#"""
                {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}
                """#, data: Array(repeating: 0, count: 12), in: folder)
            #expect(throws: ModelLoadError.tensorsOverlap(url, first: "a", second: "b")) { try SafeTensorsFile(url: url) }
        }
    }

    @Test func nonStringMetadataIsMalformedHeader() throws {
        try withFolder { folder in
            let url = try Self.craft(#"{"__metadata__": {"n": 1}}"#, in: folder)
            #expect(throws: ModelLoadError.malformedHeader(url, detail: "__metadata__ must map strings to strings")) {
                try SafeTensorsFile(url: url)
            }
        }
    }

    @Test func missingPathIsFileMissingAndFolderIsUnreadable() throws {
        try withFolder { folder in
            let missing = folder.appendingPathComponent("none.safetensors")
            #expect(throws: ModelLoadError.fileMissing(missing)) { try SafeTensorsFile(url: missing) }
            #expect(throws: ModelLoadError.unreadable(folder, reason: "not a regular file")) { try SafeTensorsFile(url: folder) }
        }
    }

    @Test func unpaddedHeaderGapsAndEmptyTensorsAreAccepted() throws {
        try withFolder { folder in
            // A 3-byte gap before "b", an empty tensor sitting inside "a"'s range, and no header
            // padding, so the floats start at an odd address and must be read unaligned.
            var header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            header += #""e":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},"#
            header += #""b":{"dtype":"F32","shape":[2],"data_offsets":[7,15]}}"#
            #expect(header.utf8.count % 2 == 1)
            let data = [UInt8](SafeTensorsTestSupport.floatBytes([1.5])) + [9, 9, 9]
                + [UInt8](SafeTensorsTestSupport.floatBytes([-2, 0.25]))
            let url = try Self.craft(header, data: data, in: folder)
            let file = try SafeTensorsFile(url: url)
            #expect(try file.floats("a") == [1.5])
            #expect(try file.floats("b") == [-2, 0.25])
            #expect(try file.floats("e") == [])
            #expect(file.metadata.isEmpty)
        }
    }
}
