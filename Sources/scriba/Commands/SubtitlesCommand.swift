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

    @Option(help: "Comma-separated formats: \(Self.formatNames.joined(separator: ",")). result: {stem}_result.json, the original pipeline's per-file record (file, duration, language, transcription, alignment, formatted: what the other formats wrote, success, attempts, error), written for failed files too.")
    var format: String = "srt"

    static let formatNames = OutputFormat.allCases.map(\.rawValue) + [ResultJSONWriter.formatName]

    @OptionGroup var engine: EngineOptions
    @OptionGroup var cues: CueFlags
    @OptionGroup var batch: BatchOptions
    @OptionGroup var guards: GuardFlags
    @OptionGroup var diarization: DiarizationFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one input, e.g. `scriba subtitles talk.mp4 -o subs/`.") }
        if try formats().formats.contains(.rttm), !diarization.diarize {
            throw ValidationError("--format rttm writes the speaker turns: add --diarize.")
        }
    }

    /// The transcript formats asked for, and whether `result` is among them.
    func formats() throws -> (formats: [OutputFormat], result: Bool) {
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names.isEmpty { throw ValidationError("--format needs at least one of: \(Self.formatNames.joined(separator: ", ")).") }
        var seen: [OutputFormat] = []
        var result = false
        for name in names {
            if name.lowercased() == ResultJSONWriter.formatName { result = true; continue }
            guard let format = try? OutputFormat.named(name) else {
                throw ValidationError("unknown output format '\(name)'. Use one of: \(Self.formatNames.joined(separator: ", ")).")
            }
            if !seen.contains(format) { seen.append(format) }
        }
        return (seen, result)
    }

    func run() async throws {
        let (formats, result) = try formats()
        let files = batch.selected(try InputCollector.collect(inputs))
        let settings = engine.settingsKey + " " + guards.settingsKey + " formats=\((formats.map(\.rawValue) + (result ? [ResultJSONWriter.formatName] : [])).joined(separator: ",")) cues=\(cues.cueOptions)" + diarization.settingsSuffix
        if PlanLines.announce(files, engine: engine, batch: batch, settings: settings) { return }
        let diarizer = try diarization.makeDiarizer(), diarizationOptions = diarization.options
        var (pipeline, options, source) = try await engine.makePipeline()
        guards.apply(to: &options)
        let cueOptions = cues.cueOptions
        var configuration = batch.configuration(settings: settings, pipeline: pipeline)
        if result {
            configuration.failureOutputs = { failure in
                [Self.resultFile(FileResult(file: failure.input.lastPathComponent, duration: failure.audioSeconds, transcript: nil,
                                            attempts: failure.attempts, error: failure.error))]
            }
        }
        try await runBatch(files, configuration: configuration, allowPartial: guards.allowPartial) { [options, pipeline, source] input, audio in
            let transcript = try diarizer.attributing(try await pipeline.transcribe(audio, options: options), of: audio, options: diarizationOptions)
            var fileSource = source
            fileSource.file = input.lastPathComponent
            let output = OutputOptions(cues: cueOptions, source: fileSource)
            let rendered = formats.map { (format: $0, contents: render($0, transcript, options: output)) }
            var outputs = rendered.map { OutputFile(fileExtension: $0.format.fileExtension, contents: $0.contents) }
            if result {
                outputs.append(Self.resultFile(FileResult(
                    file: input.lastPathComponent, duration: audio.duration, transcript: transcript,
                    formatted: rendered.map { ($0.format.rawValue, $0.contents) }, attempts: BatchRunner.attempt)))
            }
            return BatchWorkResult(outputs: outputs, chunks: transcript.chunks)
        }
    }

    static func resultFile(_ result: FileResult) -> OutputFile {
        OutputFile(fileExtension: ResultJSONWriter.fileExtension, contents: ResultJSONWriter.render(result), separator: ResultJSONWriter.separator)
    }
}
