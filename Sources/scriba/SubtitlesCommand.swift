import ArgumentParser
import Foundation
import ScribaFormats
import ScribaPipeline

/// Subtitle shaping flags → `CueOptions`.
struct CueFlags: ParsableArguments {
    @Option(help: "Characters per subtitle line (default: 42 Latin, 16 CJK).")
    var maxLineChars: Int?

    @Option(help: "Lines per cue.")
    var maxLines: Int = 2

    @Option(help: "Reading speed limit, characters per second (default: 20 Latin, 17 CJK).")
    var maxCps: Double?

    @Option(help: "Shortest time a cue stays on screen, seconds.")
    var minDuration: Double = CueOptions.defaultMinDuration

    @Option(help: "Longest time a cue stays on screen, seconds.")
    var maxDuration: Double = CueOptions.defaultMaxDuration

    func validate() throws {
        if let maxLineChars, maxLineChars < 1 { throw ValidationError("--max-line-chars must be at least 1.") }
        if maxLines < 1 { throw ValidationError("--max-lines must be at least 1.") }
        if let maxCps, maxCps <= 0 { throw ValidationError("--max-cps must be above 0.") }
        if minDuration <= 0 || maxDuration < minDuration {
            throw ValidationError("Need 0 < --min-duration ≤ --max-duration (got \(minDuration) and \(maxDuration)).")
        }
    }

    var cueOptions: CueOptions {
        CueOptions(maxLineChars: maxLineChars, maxLines: maxLines, maxCPS: maxCps, minDuration: minDuration, maxDuration: maxDuration)
    }
}

struct SubtitlesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subtitles",
        abstract: "Transcribe audio/video files, folders or globs into subtitle and transcript files."
    )

    @Argument(help: "Audio or video files, folders (scanned recursively) or quoted globs.")
    var inputs: [String] = []

    @Option(help: "Comma-separated formats: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ",")).")
    var format: String = "srt"

    @OptionGroup var engine: EngineOptions
    @OptionGroup var cues: CueFlags
    @OptionGroup var batch: BatchOptions
    @OptionGroup var guards: GuardFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one input, e.g. `scriba subtitles talk.mp4 -o subs/`.") }
        _ = try formats()
    }

    func formats() throws -> [OutputFormat] {
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.isEmpty { throw ValidationError("--format needs at least one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).") }
        do {
            var seen: [OutputFormat] = []
            for name in names { let f = try OutputFormat.named(name); if !seen.contains(f) { seen.append(f) } }
            return seen
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let formats = try formats()
        var (pipeline, options, source) = try await engine.makePipeline()
        guards.apply(to: &options)
        let cueOptions = cues.cueOptions
        let settings = engine.settingsKey + " " + guards.settingsKey + " formats=\(formats.map(\.rawValue).joined(separator: ",")) cues=\(cues.cueOptions)"
        try await runBatch(inputs, configuration: batch.configuration(settings: settings), allowPartial: guards.allowPartial) { [options, pipeline, source] input, audio in
            let transcript = try await pipeline.transcribe(audio, options: options)
            var fileSource = source
            fileSource.file = input.lastPathComponent
            let output = OutputOptions(cues: cueOptions, source: fileSource)
            return BatchWorkResult(
                outputs: formats.map { OutputFile(fileExtension: $0.fileExtension, contents: render($0, transcript, options: output)) },
                chunks: transcript.chunks)
        }
    }
}
