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

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one input, e.g. `scriba transcribe talk.wav`.") }
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs \(jobs) is outside 1...64.") }
    }

    func run() async throws {
        let files = try InputCollector.collect(inputs)
        var (pipeline, options, _) = try await engine.makePipeline(wordTimes: false)
        guards.apply(to: &options)
        let json = json
        let runner = BatchRunner(configuration: BatchConfiguration(outputDirectory: nil, jobs: jobs, resume: false), coverageWork: { [options, pipeline] input, audio in
            let transcript = try await pipeline.transcribe(audio, options: options)
            return BatchWorkResult(
                outputs: [OutputFile(fileExtension: "txt", contents: json ? Self.jsonLine(input, transcript) : transcript.text)],
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
        JSONValue.object([
            ("file", .string(input.path)), ("language", .string(transcript.language)), ("language_name", .string(transcript.languageName)),
            ("duration", .seconds(transcript.duration)), ("text", .string(transcript.text)),
            // The partial chunks are in the warnings.
            ("complete", .bool(transcript.isComplete)),
        ]).compact()
    }
}
