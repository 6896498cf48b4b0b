import Foundation
import Testing
@testable import ScribaModels

@Suite struct SafeTensorsWriterTests {
    private func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = try SafeTensorsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    @Test func writtenFileReadsBackExactly() throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("round.safetensors")
            let weights: [Float] = (0..<10).map { Float($0) * 0.25 - 1 }            // -1.0 ... 1.25
            let half: [UInt16] = [0x3C00, 0xC100, 0x0001, 0x7BFF]                     // 1, -2.5, 2^-24, 65504
            let brain: [UInt16] = [0x3F80, 0xC049, 0x4380]                            // 1, -3.140625, 256
            let tensors: [SafeTensorsWriter.Entry] = [
                ("enc.w", .f32, [2, 5], SafeTensorsTestSupport.floatBytes(weights)),
                ("h", .f16, [4], Data(half.flatMap { SafeTensorsTestSupport.littleEndianBytes($0) })),
                ("b", .bf16, [3, 1], Data(brain.flatMap { SafeTensorsTestSupport.littleEndianBytes($0) })),
                ("q", .i8, [3], Data([0xFF, 0x00, 0x7F])),
                ("u", .u8, [2], Data([200, 7])),
                ("none", .f32, [0], Data()),
            ]
            try SafeTensorsWriter.write(tensors: tensors, metadata: ["format": "pt", "note": "a/b \"q\""], to: url)

            let file = try SafeTensorsFile(url: url)
            #expect(file.names == ["b", "enc.w", "h", "none", "q", "u"])
            #expect(file.metadata == ["format": "pt", "note": "a/b \"q\""])
            for tensor in tensors {
                let info = try file.info(tensor.name)
                #expect(info.dtype == tensor.dtype && info.shape == tensor.shape, "\(tensor.name)")
                #expect(try file.withRawBytes(tensor.name) { Data($0) } == tensor.data, "\(tensor.name)")
            }
            #expect(try file.floats("enc.w") == weights)
            #expect(try file.floats("h") == [1, -2.5, 0x1p-24, 65504])
            #expect(try file.floats("b") == [1, -3.140625, 256])
            #expect(try file.withRawBytes("q") { $0.map { Int8(bitPattern: $0) } } == [-1, 0, 127])
            // Nothing but the file itself is left in the folder (the temporary was renamed).
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["round.safetensors"])
        }
    }

    @Test func headerIsSpacePaddedToEightBytesAndDataIsContiguous() throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("pad.safetensors")
            try SafeTensorsWriter.write(tensors: [("x", .f32, [3], SafeTensorsTestSupport.floatBytes([1, 2, 3])),
                                                  ("y", .u8, [1], Data([5]))], to: url)
            let bytes = try Data(contentsOf: url)
            let headerLength = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            #expect(headerLength % 8 == 0)
            let header = bytes[8..<(8 + headerLength)]
            // JSONSerialization writes no spaces of its own, so the JSON ends at the first space.
            let json = header.prefix { $0 != UInt8(ascii: " ") }
            #expect(json.last == UInt8(ascii: "}"))
            #expect(header.dropFirst(json.count).allSatisfy { $0 == UInt8(ascii: " ") })
            // 12 float bytes then 1 byte, back to back.
            #expect(bytes.count == 8 + headerLength + 13)
            let file = try SafeTensorsFile(url: url)
            #expect(try file.info("x").byteRange == (8 + headerLength)..<(8 + headerLength + 12))
            #expect(try file.info("y").byteRange == (8 + headerLength + 12)..<(8 + headerLength + 13))
        }
    }

    @Test func wrongDataSizeIsByteCountMismatchAndWritesNothing() throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("bad.safetensors")
            #expect(throws: ModelLoadError.byteCountMismatch(url, tensor: "x", dtype: "BF16", shape: [2, 2], expected: 8, found: 6)) {
                try SafeTensorsWriter.write(tensors: [("x", .bf16, [2, 2], Data(count: 6))], to: url)
            }
            let leftOver = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(leftOver.isEmpty)
        }
    }

    @Test func repeatedNameIsDuplicateTensor() throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("dup.safetensors")
            #expect(throws: ModelLoadError.duplicateTensor(url, name: "x")) {
                try SafeTensorsWriter.write(tensors: [("x", .u8, [1], Data([1])), ("x", .u8, [1], Data([2]))], to: url)
            }
        }
    }

    @Test func missingFolderIsCannotWrite() throws {
        try withFolder { folder in
            let url = folder.appendingPathComponent("absent").appendingPathComponent("x.safetensors")
            let error = #expect(throws: ModelLoadError.self) {
                try SafeTensorsWriter.write(tensors: [("x", .u8, [1], Data([1]))], to: url)
            }
            guard case .cannotWrite(let reported, _) = error else {
                Issue.record("expected cannotWrite, got \(String(describing: error))")
                return
            }
            #expect(reported == url)
        }
    }
}
