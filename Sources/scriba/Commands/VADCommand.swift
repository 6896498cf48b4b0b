import ArgumentParser
import Foundation
import ScribaAudio
import ScribaFormats
import ScribaPipeline

struct VADCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vad",
        abstract: "Print where speech is in audio/video files (Silero VAD, bundled; no ASR model needed)."
    )

    @Argument(help: "Audio or video files, folders or quoted globs.")
    var inputs: [String] = []

    @Flag(help: "One JSON object per file per line: file, duration, speech [{start, end}], speech_seconds.")
    var json = false

    @OptionGroup var silero: SileroFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one input, e.g. `scriba vad talk.wav`.") }
    }

    func run() throws {
        let files = try InputCollector.collect(inputs)
        let detector = try SileroVoiceDetector(options: silero.segmentOptions)
        var failed = 0
        for file in files {
            do {
                let audio = try AudioFile.load(file).audio
                let speech = detector.segments(audio)
                let line = json ? Self.jsonLine(file, audio.duration, speech) : Self.text(file, speech, many: files.count > 1)
                if !line.isEmpty { print(line) }
            } catch {
                // One file: its error decides the exit code; several: report each and go on.
                if files.count == 1 { throw error }
                failed += 1
                printError("\(file.path): \(error)")
            }
        }
        if failed > 0 { throw InputsFailed(failed: failed, total: files.count) }
    }

    /// "start end" per line (seconds, 3 decimals), prefixed with the file when there are several.
    static func text(_ file: URL, _ speech: [SpeechSpan], many: Bool) -> String {
        speech.map { (many ? "\(file.path)\t" : "") + "\(Timecode.decimalSeconds($0.start))\t\(Timecode.decimalSeconds($0.end))" }.joined(separator: "\n")
    }

    static func jsonLine(_ file: URL, _ duration: Double, _ speech: [SpeechSpan]) -> String {
        JSONValue.object([
            ("file", .string(file.path)), ("duration", .seconds(duration)),
            ("speech", .array(speech.map { .object([("start", .seconds($0.start)), ("end", .seconds($0.end))]) })),
            ("speech_seconds", .seconds(speech.reduce(0) { $0 + $1.duration })),
        ]).compact()
    }
}
