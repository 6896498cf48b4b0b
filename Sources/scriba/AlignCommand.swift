import ArgumentParser
import Foundation
import ScribaAudio
import ScribaFormats
import ScribaPipeline

struct AlignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Time a known text against its audio (forced alignment)."
    )

    @Argument(help: "The audio or video file.")
    var audio: String

    @Option(help: "The spoken text.")
    var text: String?

    @Option(help: "A UTF-8 file holding the spoken text.")
    var textFile: String?

    @Option(help: "Output format: json, srt or words.")
    var format: String = "json"

    @Option(name: .shortAndLong, help: "Write here (atomically) instead of standard output.")
    var output: String?

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if (text == nil) == (textFile == nil) { throw ValidationError("Pass the text with exactly one of --text or --text-file.") }
        if try engine.parsedLanguage() == nil {
            throw ValidationError("Alignment needs the language: pass --language (e.g. --language en).")
        }
        guard ["json", "srt", "words"].contains(format.lowercased()) else {
            throw ValidationError("--format \(format) is not one of json, srt, words.")
        }
    }

    func run() async throws {
        let spoken: String
        if let text {
            spoken = text
        } else {
            let path = textFile ?? ""
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("Cannot read --text-file \(path) as UTF-8 text; check the path.")
            }
            spoken = contents
        }
        guard let language = try engine.parsedLanguage() else { return }
        let (recognizer, aligner) = try await engine.resolvingModels().makeEngines()
        let decoded = try AudioFile.load(URL(fileURLWithPath: audio))
        let transcript = try await TranscriptionPipeline(recognizer: recognizer, aligner: aligner)
            .align(decoded.audio, text: spoken.trimmingCharacters(in: .whitespacesAndNewlines), language: language)
        let rendered = render(try OutputFormat.named(format), transcript)
        if let output {
            try OutputWriter.write(rendered, to: URL(fileURLWithPath: output))
        } else {
            print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
        }
    }
}
