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

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one recording, e.g. `scriba minutes meeting.m4a -o notes/`.") }
    }

    func run() async throws {
        let (pipeline, options) = try await engine.makePipeline()
        try await runBatch(inputs, configuration: batch.configuration(settings: engine.settingsKey + " minutes")) { _, audio in
            let minutes = MinutesBuilder.minutes(for: try await pipeline.transcribe(audio, options: options))
            return [OutputFile(fileExtension: "minutes.md", contents: MinutesMarkdownWriter.render(minutes)),
                    OutputFile(fileExtension: "minutes.json", contents: MinutesJSONWriter.render(minutes))]
        }
    }
}
