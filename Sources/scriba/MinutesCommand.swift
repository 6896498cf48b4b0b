import ArgumentParser
import Foundation
import ScribaFormats
import ScribaPipeline

struct MinutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minutes",
        abstract: "Meeting minutes (timeline, topics, action items) as Markdown and JSON."
    )

    @Argument(help: "Recordings: files, folders or quoted globs.")
    var inputs: [String] = []

    @OptionGroup var engine: EngineOptions
    @OptionGroup var batch: BatchOptions
    @OptionGroup var guards: GuardFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one recording, e.g. `scriba minutes meeting.m4a -o notes/`.") }
    }

    func run() async throws {
        var (pipeline, options, _) = try await engine.makePipeline()
        guards.apply(to: &options)
        try await runBatch(inputs, configuration: batch.configuration(settings: engine.settingsKey + " " + guards.settingsKey + " minutes"),
                           allowPartial: guards.allowPartial) { [options, pipeline] _, audio in
            let transcript = try await pipeline.transcribe(audio, options: options)
            let minutes = MinutesBuilder.minutes(for: transcript)
            return BatchWorkResult(
                outputs: [OutputFile(fileExtension: "minutes.md", contents: MinutesMarkdownWriter.render(minutes)),
                          OutputFile(fileExtension: "minutes.json", contents: MinutesJSONWriter.render(minutes))],
                chunks: transcript.chunks)
        }
    }
}
