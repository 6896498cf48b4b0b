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

    @Flag(inversion: .prefixedNo, help: "Move word starts (ends) that lie in a pause to where the voice detector hears the word begin (end).")
    var trimToSpeech = true

    @OptionGroup var voice: VoiceDetectorFlags

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
        // The audio first: a wrong path is reported before any model is resolved or loaded.
        let decoded = try AudioFile.load(URL(fileURLWithPath: audio))
        let pipeline = try await makePipeline()
        let trimmed = spoken.trimmingCharacters(in: .whitespacesAndNewlines)
        var options = PipelineOptions(trimWordsToSpeech: trimToSpeech)
        voice.apply(to: &options)
        let transcript = try await pipeline.align(decoded.audio, text: trimmed, language: language, options: options)
        if !trimmed.isEmpty && transcript.words.isEmpty {
            throw ValidationError("The text has no words to time (only punctuation or symbols); pass the spoken words.")
        }
        let interpolated = transcript.words.filter(\.interpolated).count
        if interpolated > 0 {
            printError("warning: \(interpolated) of \(transcript.words.count) words could not be placed by the aligner; their times are interpolated (\"interpolated\": true in JSON).")
        }
        let rendered = render(try OutputFormat.named(format), transcript)
        if let output {
            try AtomicFile.write(rendered, to: URL(fileURLWithPath: output))
        } else {
            print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
        }
    }

    /// What times the text: a forced aligner (Qwen3's, or the service at --align-url), loaded alone
    /// (a Qwen3-ASR model is gigabytes and `align` never transcribes); with --engine whisper, the
    /// recogniser, whose own word times are carried over to the text as `/align` does.
    func makePipeline() async throws -> TranscriptionPipeline {
        switch engine.engine {
        case .remote?:
            guard let aligner = try engine.makeEngines().1 else {
                throw ValidationError("--engine remote needs --align-url for alignment (the aligner service's address).")
            }
            return TranscriptionPipeline(aligner: aligner)
        case .whisper?:
            let (recognizer, _) = try await engine.resolvingModels().makeEngines()
            return TranscriptionPipeline(recognizer: recognizer)
        default:
            // A named aligner is pulled on first use like any model; the default one too.
            let folder = try await engine.resolveModel(engine.alignerModel ?? KnownModels.aligner)
            return TranscriptionPipeline(aligner: try Qwen3Aligner(folder: folder, encoderAttention: engine.encoderAttention.value,
                                                                   precision: engine.choice.precision))
        }
    }
}
