import ArgumentParser
import Foundation
import ScribaFormats
import ScribaPipeline

struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Print the text of audio/video files (no timestamps)."
    )

    @Argument(help: "Audio or video files, folders or quoted globs.")
    var inputs: [String] = []

    @Flag(help: "One JSON object per file per line: file, language (code), language_name, duration, text, complete (false: some chunk truncated, looped or failed).")
    var json = false

    @Option(help: "Files processed at once.")
    var jobs: Int = 1

    @OptionGroup var engine: EngineOptions
    @OptionGroup var guards: GuardFlags
    @OptionGroup var diarization: DiarizationFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one input, e.g. `scriba transcribe talk.wav`.") }
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs \(jobs) is outside 1...64.") }
    }

    func run() async throws {
        let files = try InputCollector.collect(inputs)
        let diarizer = try diarization.makeDiarizer(), diarizationOptions = diarization.options
        // Speakers go on words: diarizing needs word times.
        var (pipeline, options, _) = try await engine.makePipeline(wordTimes: diarizer != nil)
        guards.apply(to: &options)
        let json = json
        let runner = BatchRunner(configuration: BatchConfiguration(outputDirectory: nil, jobs: jobs, resume: false), coverageWork: { [options, pipeline] input, audio in
            let transcript = try diarizer.attributing(try await pipeline.transcribe(audio, options: options), of: audio, options: diarizationOptions)
            return BatchWorkResult(
                outputs: [OutputFile(fileExtension: "txt", contents: json ? Self.jsonLine(input, transcript) : Self.text(transcript))],
                chunks: transcript.chunks)
        })
        let report = try await runner.run(files) { event in
            guard case .finished(let report, let outputs, _, _) = event else { return }
            if let failure = report.error {
                // Most reasons name the file already.
                printError(failure.contains(report.input) ? failure : "\(report.input): \(failure)")
            } else if let text = outputs.first?.contents {
                print(files.count > 1 && !json ? "\(report.input)\t\(text)" : text)
            }
        }
        if report.failed > 0 { throw InputsFailed(failed: report.failed, total: report.files) }
        try CoverageWarnings.check(report, allowPartial: guards.allowPartial)
    }

    static func jsonLine(_ input: URL, _ transcript: Transcript) -> String {
        var members: [(String, JSONValue)] = [
            ("file", .string(input.path)), ("language", .string(transcript.language)), ("language_name", .string(transcript.languageName)),
            ("duration", .seconds(transcript.duration)), ("text", .string(transcript.text)),
            // The partial chunks are in the warnings.
            ("complete", .bool(transcript.isComplete)),
        ]
        if transcript.turns != nil {
            members.append(("utterances", .array(transcript.utterances.map {
                .object([("speaker", .string($0.speaker)), ("start", .seconds($0.start)), ("end", .seconds($0.end)), ("text", .string($0.text))])
            })))
        }
        return JSONValue.object(members).compact()
    }

    /// The text; diarized, one line per run of one speaker: `SPEAKER_1: …`.
    static func text(_ transcript: Transcript) -> String {
        guard transcript.turns != nil else { return transcript.text }
        return transcript.utterances.map { "\($0.speaker): \($0.text)" }.joined(separator: "\n")
    }
}
