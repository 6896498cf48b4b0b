import Foundation
import Testing
@testable import ScribaAudio

enum FFmpegTestSupport {
    /// Without ffmpeg these tests are skipped locally, but in CI (CI=true) they run and fail loudly.
    static let shouldRun = (try? FFmpegDecoder.locate()) != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs ffmpeg to make a test input; fails the test if ffmpeg does.
    static func ffmpeg(_ arguments: [String]) throws {
        let tool = try FFmpegDecoder.locate()
        let result = try ProcessRunner.run(tool.ffmpegURL, arguments: ["-nostdin", "-v", "error", "-y"] + arguments) { _ in }
        try #require(result.status == 0, "ffmpeg \(arguments.joined(separator: " ")) failed: \(result.stderr)")
    }

    /// 1.0 s, 44.1 kHz, stereo, 16-bit: a 440 Hz tone of amplitude 0.5 in both channels.
    static func sourceWAV(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("source.wav")
        let tone = sine(frequency: 440, rate: 44_100, count: 44_100, amplitude: 0.5)
        let bytes = tone.flatMap { s -> [UInt8] in let v = le(Int16((s * 32768).rounded())); return v + v }
        try WAVBytes(channels: 2, sampleRate: 44_100).build(data: bytes).write(to: url)
        return url
    }
}

@Suite(.enabled(if: FFmpegTestSupport.shouldRun, "ffmpeg is not on PATH; set CI=true to make its absence a failure"))
struct FFmpegDecodingTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var codecArguments: [String]
        var container: String
        var codec: String
        var sampleRate: Int
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "tone.mp3", codecArguments: ["-c:a", "libmp3lame", "-b:a", "128k"], container: "mp3", codec: "mp3", sampleRate: 44_100),
        Case(file: "tone.flac", codecArguments: ["-c:a", "flac"], container: "flac", codec: "flac", sampleRate: 44_100),
        Case(file: "tone.ogg", codecArguments: ["-c:a", "libvorbis"], container: "ogg", codec: "vorbis", sampleRate: 44_100),
        Case(file: "tone.opus", codecArguments: ["-c:a", "libopus", "-b:a", "64k"], container: "ogg", codec: "opus", sampleRate: 48_000),
        Case(file: "tone.m4a", codecArguments: ["-c:a", "aac", "-b:a", "128k"], container: "m4a", codec: "aac", sampleRate: 44_100),
    ]

    /// Duration within 30 ms of 1.0 s, sample count = ceil(frames × 16000 / rate), and the tone's
    /// level within 1 dB of the source's (RMS 0.5 / √2 = 0.354).
    @Test(arguments: cases)
    func decodesContainerToSixteenKilohertzMono(_ testCase: Case) throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let encoded = folder.appendingPathComponent(testCase.file)
        try FFmpegTestSupport.ffmpeg(["-i", source.path] + testCase.codecArguments + [encoded.path])

        let decoded = try AudioFile.load(encoded)
        let info = decoded.info
        #expect(info.container == testCase.container)
        #expect(info.codec == testCase.codec)
        #expect(info.sampleRate == testCase.sampleRate)
        #expect(info.channels == 2)
        #expect(abs(info.duration - 1.0) <= 0.030, "duration \(info.duration)")
        #expect(decoded.audio.sampleRate == 16_000)
        #expect(decoded.audio.samples.count == (info.frameCount * 16_000 + info.sampleRate - 1) / info.sampleRate)
        #expect(abs(decoded.audio.samples.count - 16_000) <= 480)
        let samples = decoded.audio.samples
        let level = 20 * log10(rms(samples[1600..<(samples.count - 1600)]) / (0.5 / 2.0.squareRoot()))
        #expect(abs(level) <= 1, "level \(level) dB")
    }

    @Test func losslessFLACMatchesTheWAVPathExactly() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let flac = folder.appendingPathComponent("tone.flac")
        try FFmpegTestSupport.ffmpeg(["-i", source.path, flac.path])
        let viaFFmpeg = try AudioFile.load(flac)
        let native = try AudioFile.load(source)
        #expect(viaFFmpeg.info.frameCount == 44_100)
        #expect(viaFFmpeg.audio == native.audio)
    }

    /// 6 channels × 4 bytes = 24-byte frames do not divide the 1 MiB reads, so frames split across
    /// reads must be stitched; 3 s at 48 kHz = 3.46 MB of f32 output spans four reads.
    @Test func sixChannelFLACIsAveragedLikeTheWAVPath() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tone = sine(frequency: 440, rate: 48_000, count: 144_000, amplitude: 0.6)
        let bytes = tone.enumerated().flatMap { n, s -> [UInt8] in
            (0..<6).flatMap { c -> [UInt8] in le(Int16(c == n % 6 ? (s * 32768).rounded() : Float(c) * -100)) }
        }
        let wav = folder.appendingPathComponent("six.wav")
        try WAVBytes(channels: 6, sampleRate: 48_000).build(data: bytes).write(to: wav)
        let flac = folder.appendingPathComponent("six.flac")
        try FFmpegTestSupport.ffmpeg(["-i", wav.path, flac.path])
        let viaFFmpeg = try AudioFile.load(flac)
        #expect(viaFFmpeg.info.channels == 6 && viaFFmpeg.info.frameCount == 144_000)
        let native = try AudioFile.load(wav)
        let worst = zip(viaFFmpeg.audio.samples, native.audio.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(viaFFmpeg.audio.samples.count == 48_000)
        #expect(worst < 1e-6, "worst \(worst)") // same integers, summed in the same order
    }

    @Test func videoContainerDecodesItsAudioStream() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let mkv = folder.appendingPathComponent("clip.mkv")
        try FFmpegTestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-i", source.path,
                                      "-c:v", "mpeg4", "-c:a", "flac", "-shortest", mkv.path])
        let decoded = try AudioFile.load(mkv)
        #expect(decoded.info.container == "matroska")
        #expect(decoded.info.codec == "flac")
        #expect(abs(decoded.info.duration - 1.0) <= 0.030)
        #expect(abs(decoded.audio.samples.count - 16_000) <= 480)
    }

    @Test func videoWithoutAudioIsNoAudioStream() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mp4 = folder.appendingPathComponent("silent.mp4")
        try FFmpegTestSupport.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=0.5", "-c:v", "mpeg4", mp4.path])
        #expect(throws: AudioError.noAudioStream(source: mp4.path)) { try AudioFile.load(mp4) }
    }

    @Test func undecodableFileNamesTheFileAndFFmpegsReason() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.mp3")
        try Data(String(repeating: "this is not audio\n", count: 100).utf8).write(to: junk)
        do {
            _ = try AudioFile.load(junk)
            Issue.record("junk decoded")
        } catch let error as AudioError {
            guard case .ffmpegFailed(let source, _, let status, let reason) = error else {
                Issue.record("expected ffmpegFailed, got \(error)")
                return
            }
            #expect(source == junk.path)
            #expect(status != 0)
            // ffmpeg 5.1 says "Failed to read frame size: Could not seek to 2823.; Invalid argument".
            #expect(!reason.isEmpty && reason != "no message" && !reason.contains(" @ 0x"), "reason: \(reason)")
            #expect(error.description.hasPrefix(junk.path + ": ffprobe could not decode it"))
            #expect(error.description.contains(reason))
        }
    }

    @Test func muLawWAVFallsBackToFFmpeg() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let mulaw = folder.appendingPathComponent("phone.wav")
        try FFmpegTestSupport.ffmpeg(["-i", source.path, "-c:a", "pcm_mulaw", mulaw.path])
        let decoded = try AudioFile.load(mulaw)
        let native = try AudioFile.load(source)
        #expect(decoded.info.container == "wav" && decoded.info.codec == "pcm_mulaw" && decoded.info.frameCount == 44_100)
        #expect(decoded.audio.samples.count == native.audio.samples.count)
        // μ-law keeps ~8 bits of mantissa: error at 0.5 amplitude stays under 1/64.
        let worst = zip(decoded.audio.samples, native.audio.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1.0 / 64, "worst \(worst)")
    }

    @Test func uploadOfAnMP3GoesThroughATempFile() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let mp3 = folder.appendingPathComponent("tone.mp3")
        try FFmpegTestSupport.ffmpeg(["-i", source.path, mp3.path])
        let decoded = try AudioFile.load(data: try Data(contentsOf: mp3), fileName: "meeting.mp3")
        #expect(decoded.info.codec == "mp3")
        #expect(abs(decoded.info.duration - 1.0) <= 0.030)
        #expect(throws: AudioError.self) { try AudioFile.load(data: Data([9, 9, 9, 9]), fileName: "x.mp3") }
    }

    @Test func probeReportsTheSourceBeforeDecoding() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try FFmpegTestSupport.sourceWAV(in: folder)
        let info = try FFmpegDecoder.locate().probe(source)
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_s16le", sampleRate: 44_100, channels: 2, frameCount: 44_100))
    }
}
