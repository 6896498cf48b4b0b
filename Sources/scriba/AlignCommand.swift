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
        let aligner = try await makeAligner()
        let decoded = try AudioFile.load(URL(fileURLWithPath: audio))
        let trimmed = spoken.trimmingCharacters(in: .whitespacesAndNewlines)
        let transcript = try await TranscriptionPipeline(recognizer: AlignOnly(), aligner: aligner)
            .align(decoded.audio, text: trimmed, language: language)
        if !trimmed.isEmpty && transcript.words.isEmpty {
            throw ValidationError("The text has no words to time (only punctuation or symbols); pass the spoken words.")
        }
        let interpolated = transcript.words.filter(\.interpolated).count
        if interpolated > 0 {
            printError("warning: \(interpolated) of \(transcript.words.count) words could not be placed by the aligner; their times are interpolated (\"interpolated\": true in JSON).")
        }
        let rendered = render(try OutputFormat.named(format), transcript)
        if let output {
            try OutputWriter.write(rendered, to: URL(fileURLWithPath: output))
        } else {
            print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
        }
    }

    /// Only the aligner: `align` never needs a recogniser, so none is loaded (a Qwen3-ASR model
    /// is gigabytes). Local engines use --aligner-model or the cached Qwen3-ForcedAligner-0.6B.
    func makeAligner() async throws -> any ForcedAligner {
        switch engine.engine {
        case .remote?:
            guard let aligner = try engine.makeEngines().1 else {
                throw ValidationError("--engine remote needs --align-url for alignment (the aligner service's address).")
            }
            return aligner
        case .whisper?:
            throw ValidationError("Whisper has no forced aligner; use the Qwen3 aligner (--aligner-model) or --engine remote.")
        default:
            // A named aligner is pulled on first use like any model; the default one too.
            let folder = try await engine.resolveModel(engine.alignerModel ?? KnownModels.aligner)
            return try Qwen3Aligner(folder: folder)
        }
    }
}

/// Stands in for the recogniser `TranscriptionPipeline` takes; `align` never calls it.
private struct AlignOnly: SpeechRecognizer {
    var modelName: String { "none" }
    var maxChunkDuration: Double { .infinity }
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        throw ValidationError("scriba align does not transcribe.")
    }
}
