import Foundation

/// Two real speakers in one 16 kHz WAV, as SpeakerDiarizerTests joins them: LibriVox 0870 (the
/// LibriVox reader, 7.10 s), 0.5 s of silence, the MFA Japanese speaker (7.12 s), 0.5 s, LibriVox 0890
/// (the reader again, 5.30 s) — 20.52 s. Built from the fixtures' PCM; nothing is committed.
public enum TwoSpeakerRecording {
    public static let gapSeconds = 0.5
    static let parts = ["whisper/librivox-0870.wav", "diarization/mfa-japanese_slow.wav", "whisper/librivox-0890.wav"]

    /// The three clips' spans in seconds, in order: reader, Japanese speaker, reader.
    public static func spans() throws -> [ClosedRange<Double>] {
        var start = 0.0
        return try parts.map { part in
            let seconds = Double(try pcm(part).count / 2) / 16_000
            defer { start += seconds + gapSeconds }
            return start...(start + seconds)
        }
    }

    /// The joined recording as a 16-bit mono 16 kHz WAV file's bytes.
    public static func wav() throws -> Data {
        let gap = Data(count: Int(gapSeconds * 16_000) * 2)
        var data = Data()
        for (index, part) in parts.enumerated() {
            if index > 0 { data += gap }
            data += try pcm(part)
        }
        var header = Data("RIFF".utf8)
        func u32(_ value: Int) { header += withUnsafeBytes(of: UInt32(value).littleEndian) { Data($0) } }
        func u16(_ value: Int) { header += withUnsafeBytes(of: UInt16(value).littleEndian) { Data($0) } }
        u32(36 + data.count)
        header += Data("WAVEfmt ".utf8)
        u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
        header += Data("data".utf8)
        u32(data.count)
        return header + data
    }

    /// Writes `wav()` to a new temporary file.
    public static func file() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("two-speakers-\(UUID().uuidString).wav")
        try wav().write(to: url)
        return url
    }

    /// The `data` chunk of a 16 kHz mono s16 fixture.
    static func pcm(_ path: String) throws -> Data {
        let bytes = try Data(contentsOf: TestLocations.fixtures.appendingPathComponent(path))
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = bytes[offset + 4..<offset + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            if id == "data" { return bytes[offset + 8..<min(bytes.count, offset + 8 + size)] }
            offset += 8 + size + size % 2
        }
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path])
    }
}
