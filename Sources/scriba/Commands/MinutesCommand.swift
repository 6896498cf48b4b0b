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

    @Option(help: "Who took part, comma-separated (\"Anna,Tom\"): listed in the minutes as given; with --diarize the names go to the speakers in order of first appearance.")
    var participants: String?

    @Option(help: "Length of each timeline entry, seconds.")
    var interval: Double = MinutesOptions().interval

    @OptionGroup var engine: EngineOptions
    @OptionGroup var batch: BatchOptions
    @OptionGroup var guards: GuardFlags
    @OptionGroup var diarization: DiarizationFlags

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Pass at least one recording, e.g. `scriba minutes meeting.m4a -o notes/`.") }
        if !(interval > 0 && interval.isFinite) { throw ValidationError("--interval must be above 0 seconds (got \(interval)), e.g. --interval 300.") }
    }

    var minutesOptions: MinutesOptions {
        let names = (participants ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return MinutesOptions(interval: interval, participants: names)
    }

    func run() async throws {
        let files = batch.selected(try InputCollector.collect(inputs))
        let minutesOptions = minutesOptions
        let settings = engine.settingsKey + " " + guards.settingsKey + " minutes interval=\(interval) participants=\(minutesOptions.participants)" + diarization.settingsSuffix
        if PlanLines.announce(files, engine: engine, batch: batch, settings: settings) { return }
        let diarizer = try diarization.makeDiarizer(), diarizationOptions = diarization.options
        var (pipeline, options, _) = try await engine.makePipeline()
        guards.apply(to: &options)
        try await runBatch(files, configuration: batch.configuration(settings: settings, pipeline: pipeline),
                           allowPartial: guards.allowPartial) { [options, pipeline] _, audio in
            let transcript = try diarizer.attributing(try await pipeline.transcribe(audio, options: options), of: audio, options: diarizationOptions)
            let minutes = MinutesBuilder.minutes(for: transcript, options: minutesOptions)
            return BatchWorkResult(
                outputs: [OutputFile(fileExtension: "minutes.md", contents: MinutesMarkdownWriter.render(minutes)),
                          OutputFile(fileExtension: "minutes.json", contents: MinutesJSONWriter.render(minutes))],
                chunks: transcript.chunks)
        }
    }
}
