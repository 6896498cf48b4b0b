import ArgumentParser
import Foundation
import ScribaAudio

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show format, duration, sample rate and channels of audio or video files."
    )

    @Argument(help: "Audio or video files (WAV natively; mp3, m4a, flac, ogg, mp4, ... through ffmpeg).")
    var files: [String]

    @Option(help: "Sample rate the decoded sample count refers to.")
    var sampleRate: Int = 16_000

    @Flag(help: "Print one JSON object per file instead of text.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Pass at least one file, e.g. `scriba info talk.wav`.") }
        if sampleRate < 1000 || sampleRate > 384_000 {
            throw ValidationError("--sample-rate \(sampleRate) is outside 1000...384000 Hz; 16000 is what the models use.")
        }
    }

    func run() throws {
        // One file: its error propagates, so the exit code says what kind of failure it was.
        if files.count == 1 {
            print(try describe(files[0]))
            return
        }
        var failed = 0
        for path in files {
            do {
                print(try describe(path))
            } catch {
                failed += 1
                printError("\(path): \(error)")
            }
        }
        if failed > 0 { throw InputsFailed(failed: failed, total: files.count) }
    }

    private func describe(_ path: String) throws -> String {
        let decoded = try AudioFile.load(URL(fileURLWithPath: path), sampleRate: sampleRate)
        return json ? jsonLine(path, decoded) : textBlock(path, decoded)
    }

    private func textBlock(_ path: String, _ decoded: DecodedAudio) -> String {
        let info = decoded.info
        return """
            \(path)
              format:       \(info.container) (\(info.codec))
              duration:     \(String(format: "%.3f", info.duration)) s
              sample rate:  \(info.sampleRate) Hz
              channels:     \(info.channels)
              decoded:      \(decoded.audio.samples.count) samples at \(decoded.audio.sampleRate) Hz mono (\(String(format: "%.3f", decoded.audio.duration)) s)
            """
    }

    private func jsonLine(_ path: String, _ decoded: DecodedAudio) -> String {
        struct Line: Encodable {
            let file: String, format: String, codec: String, duration: Double
            let sample_rate: Int, channels: Int, decoded_samples: Int, decoded_sample_rate: Int
        }
        let info = decoded.info
        let line = Line(
            file: path, format: info.container, codec: info.codec, duration: info.duration,
            sample_rate: info.sampleRate, channels: info.channels,
            decoded_samples: decoded.audio.samples.count, decoded_sample_rate: decoded.audio.sampleRate)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(line)) ?? Data(), as: UTF8.self)
    }
}
