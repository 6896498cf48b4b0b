import Foundation
@testable import ScribaAudio
import ScribaTestSupport

/// Builds WAV files byte by byte, so each test states exactly the header it feeds the reader.
struct WAVBytes {
    var formatTag: UInt16 = 1
    var channels: UInt16 = 1
    var sampleRate: UInt32 = 16_000
    var bitsPerSample: UInt16 = 16
    /// nil: channels × ceil(bits / 8).
    var blockAlign: UInt16?
    /// Wraps the format in WAVE_FORMAT_EXTENSIBLE with this sub-format tag.
    var extensibleSubFormat: UInt16?
    var validBits: UInt16?
    /// Chunks placed between 'fmt ' and 'data' (id, body); odd bodies get their pad byte.
    var chunksBeforeData: [(String, [UInt8])] = []
    var chunksAfterData: [(String, [UInt8])] = []
    /// nil: the true data length.
    var declaredDataSize: UInt32?
    var includeFormat = true
    var includeData = true
    var rf64 = false

    func build(data samples: [UInt8]) -> Data {
        var body: [UInt8] = Array("WAVE".utf8)
        if rf64 {
            body += Array("ds64".utf8) + le(UInt32(28))
            body += le(UInt64(0)) + le(UInt64(samples.count)) + le(UInt64(0)) + le(UInt32(0))
        }
        if includeFormat {
            let align = blockAlign ?? channels * ((bitsPerSample + 7) / 8)
            var fmt: [UInt8] = le(extensibleSubFormat == nil ? formatTag : 0xFFFE) + le(channels) + le(sampleRate)
            fmt += le(sampleRate &* UInt32(align)) + le(align) + le(bitsPerSample)
            if let sub = extensibleSubFormat {
                fmt += le(UInt16(22)) + le(validBits ?? bitsPerSample) + le(UInt32(0))
                // GUID xxxxxxxx-0000-0010-8000-00aa00389b71 with the tag in the first two bytes.
                fmt += le(sub) + [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
            }
            body += Array("fmt ".utf8) + le(UInt32(fmt.count)) + fmt
        }
        for (id, chunk) in chunksBeforeData { body += Self.chunk(id, chunk) }
        if includeData {
            let size = rf64 ? UInt32.max : (declaredDataSize ?? UInt32(samples.count))
            body += Array("data".utf8) + le(size) + samples
            if samples.count % 2 == 1, !chunksAfterData.isEmpty { body.append(0) }
        }
        for (id, chunk) in chunksAfterData { body += Self.chunk(id, chunk) }
        let riffSize: UInt32 = rf64 ? .max : UInt32(body.count)
        return Data(Array((rf64 ? "RF64" : "RIFF").utf8) + le(riffSize) + body)
    }

    static func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le(UInt32(body.count)) + body + (body.count % 2 == 1 ? [0] : [])
    }
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

func int16Bytes(_ values: [Int16]) -> [UInt8] { values.flatMap { le($0) } }
func float32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }

/// Folder of `Tests/Fixtures/audio`, found from this file's path.
func audioFixtureURL(_ name: String) -> URL {
return TestLocations.fixtures.appendingPathComponent("audio").appendingPathComponent(name)
}

/// A fresh empty folder under the temporary directory.
func makeTempFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-audio-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func sine(frequency: Double, rate: Int, count: Int, amplitude: Double = 0.5) -> [Float] {
    (0..<count).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate))) }
}

func rms<C: Collection>(_ x: C) -> Double where C.Element == Float {
    (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
}
