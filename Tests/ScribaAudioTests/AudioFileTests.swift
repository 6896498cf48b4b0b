import Foundation
import Testing
@testable import ScribaAudio

/// AudioFile paths that need no ffmpeg (a search path with no ffmpeg in it proves none is used).
@Suite struct AudioFileTests {
    static let noFFmpeg = "/nonexistent-scriba-bin"

    private func loadError(_ body: () throws -> DecodedAudio) -> AudioError? {
        do { _ = try body(); return nil } catch { return error as? AudioError }
    }

    @Test func stereoWAVAt44100IsDownmixedAndResampled() throws {
        // 1 s of a 440 Hz tone on the left channel, silence on the right: mono is the tone at half amplitude.
        let tone = sine(frequency: 440, rate: 44_100, count: 44_100, amplitude: 0.8)
        let bytes = tone.flatMap { le(Int16(($0 * 32768).rounded())) + le(Int16(0)) }
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("stereo.bin") // no .wav: detected by content
        try WAVBytes(channels: 2, sampleRate: 44_100).build(data: bytes).write(to: url)

        let decoded = try AudioFile.load(url, sampleRate: 16_000, ffmpegSearchPath: Self.noFFmpeg)
        #expect(decoded.info == AudioSourceInfo(container: "wav", codec: "pcm_s16le", sampleRate: 44_100, channels: 2, frameCount: 44_100))
        #expect(decoded.info.duration == 1.0)
        #expect(decoded.audio.sampleRate == 16_000)
        #expect(decoded.audio.samples.count == 16_000)
        // Against an ideal 0.4-amplitude 440 Hz sine at 16 kHz (16-bit input limits this to ~80 dB).
        let snr = ResamplerTests.snr(decoded.audio.samples, frequency: 440, rate: 16_000, amplitude: 0.4)
        #expect(snr > 60)
    }

    @Test func uploadedWAVIsParsedInMemory() throws {
        let data = WAVBytes(sampleRate: 16_000).build(data: int16Bytes([16384, -16384]))
        let decoded = try AudioFile.load(data: data, fileName: "clip.ogg", sampleRate: 16_000, ffmpegSearchPath: Self.noFFmpeg)
        #expect(decoded.audio.samples == [0.5, -0.5])
        #expect(decoded.info.container == "wav")
    }

    @Test func fileErrors() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.wav")
        #expect(loadError { try AudioFile.load(missing) } == .fileNotFound(path: missing.path))
        #expect(loadError { try AudioFile.load(folder) } == .unreadableFile(path: folder.path, reason: "it is a folder"))
        let empty = folder.appendingPathComponent("empty.mp3")
        try Data().write(to: empty)
        #expect(loadError { try AudioFile.load(empty) } == .emptyFile(source: empty.path))
        #expect(loadError { try AudioFile.load(data: Data(), fileName: nil) } == .emptyFile(source: "upload"))
        let cut = folder.appendingPathComponent("cut.wav")
        try Data("RIFF\u{10}".utf8).write(to: cut)
        guard case .truncatedHeader? = loadError({ try AudioFile.load(cut, ffmpegSearchPath: Self.noFFmpeg) }) else {
            Issue.record("a cut RIFF header must be reported as truncated, not sent to ffmpeg")
            return
        }
        let ok = folder.appendingPathComponent("ok.wav")
        try WAVBytes().build(data: [0, 0]).write(to: ok)
        #expect(loadError { try AudioFile.load(ok, sampleRate: 0) } == .invalidSampleRate(0))
        #expect(loadError { try AudioFile.load(data: Data([1]), fileName: nil, sampleRate: 10_000_000) } == .invalidSampleRate(10_000_000))
    }

    @Test func missingFFmpegSaysHowToInstallIt() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mp3 = folder.appendingPathComponent("talk.mp3")
        try Data([0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 400)).write(to: mp3)
        let error = loadError { try AudioFile.load(mp3, ffmpegSearchPath: Self.noFFmpeg) }
        #expect(error == .ffmpegNotFound(searchedPath: Self.noFFmpeg))
        #expect(error?.description.contains("apt-get install ffmpeg") == true)
        #expect(error?.description.contains("brew install ffmpeg") == true)
        #expect(loadError { try AudioFile.load(data: Data([1, 2, 3]), fileName: "a.m4a", ffmpegSearchPath: Self.noFFmpeg) }
            == .ffmpegNotFound(searchedPath: Self.noFFmpeg))
    }

    @Test func compressedWAVWithoutFFmpegKeepsTheEncodingError() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("phone.wav")
        try WAVBytes(formatTag: 7, bitsPerSample: 8).build(data: [0xFF, 0x7F]).write(to: url)
        #expect(loadError { try AudioFile.load(url, ffmpegSearchPath: Self.noFFmpeg) }
            == .unsupportedWAVEncoding(source: url.path, formatTag: 7, name: "μ-law"))
    }
}
