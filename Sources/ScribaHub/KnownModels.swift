import Foundation

/// Which Scriba engine runs a model.
public enum ModelEngine: String, Sendable, CaseIterable {
    /// Qwen3-ASR safetensors (`model_type` "qwen3_asr").
    case qwen3ASR = "qwen3-asr"
    /// Qwen3-ForcedAligner safetensors: word times for a known text.
    case qwen3Aligner = "qwen3-aligner"
    /// OpenAI Whisper in the transformers layout (config.json + model.safetensors).
    case whisper = "whisper"
    /// Whisper converted to CTranslate2 (model.bin), as faster-whisper uses it.
    case whisperCTranslate2 = "whisper-ct2"
}

/// A model Scriba knows by name.
public struct KnownModel: Sendable, Equatable {
    public let name: String
    public let engine: ModelEngine
    public let summary: String
}

public enum KnownModels {
    /// The folder name `scripts/fetch-whisper-base` installs under `SCRIBA_MODELS_DIR`
    /// (the PyPI wheels hold Systran/faster-whisper-base's files, CTranslate2 float16).
    public static let whisperBase = "whisper-base"
    public static let preferredRecognizers = ["Qwen/Qwen3-ASR-1.7B", "Qwen/Qwen3-ASR-0.6B"]
    public static let aligner = "Qwen/Qwen3-ForcedAligner-0.6B"

    public static let all: [KnownModel] = [
        KnownModel(name: "Qwen/Qwen3-ASR-1.7B", engine: .qwen3ASR, summary: "Qwen3-ASR 1.7B: best accuracy, 52 languages and dialects"),
        KnownModel(name: "Qwen/Qwen3-ASR-0.6B", engine: .qwen3ASR, summary: "Qwen3-ASR 0.6B: faster, a little less accurate"),
        KnownModel(name: aligner, engine: .qwen3Aligner, summary: "word and character times for a transcript (11 languages)"),
        KnownModel(name: whisperBase, engine: .whisperCTranslate2, summary: "Whisper base from PyPI (scripts/fetch-whisper-base); the fallback recognizer"),
    ] + ["tiny", "base", "small", "medium", "large-v2", "large-v3", "large-v3-turbo"].flatMap { size in
        [
            KnownModel(name: "openai/whisper-\(size)", engine: .whisper, summary: "OpenAI Whisper \(size) (transformers layout)"),
            KnownModel(name: "Systran/faster-whisper-\(size)", engine: .whisperCTranslate2, summary: "Whisper \(size), CTranslate2 (faster-whisper)"),
        ]
    }

    /// Names that are the same files: the PyPI whisper-base is a re-upload of Systran/faster-whisper-base,
    /// so either name finds whichever copy is present.
    public static let sameFiles: [String: String] = [
        whisperBase: "Systran/faster-whisper-base",
        "Systran/faster-whisper-base": whisperBase,
    ]

    /// The engine for a model name: the table first, then the repo naming patterns
    /// (`openai/whisper-*`, `*/faster-whisper-*`, `*/Qwen3-ASR-*`, `*/Qwen3-ForcedAligner-*`).
    public static func engine(for name: String) -> ModelEngine? {
        if let known = all.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) { return known.engine }
        let lower = name.lowercased()
        let last = lower.split(separator: "/").last.map(String.init) ?? lower
        if last.hasPrefix("qwen3-forcedaligner") { return .qwen3Aligner }
        if last.hasPrefix("qwen3-asr") { return .qwen3ASR }
        if last.hasPrefix("faster-whisper-") { return .whisperCTranslate2 }
        if lower.hasPrefix("openai/whisper-") { return .whisper }
        return nil
    }

    /// The engine a downloaded folder suits, from its files: a CTranslate2 `model.bin`, else
    /// config.json's `model_type`.
    public static func detectEngine(in folder: URL) -> ModelEngine? {
        let fileManager = FileManager.default
        let config = folder.appendingPathComponent("config.json")
        if fileManager.fileExists(atPath: folder.appendingPathComponent("model.bin").path) { return .whisperCTranslate2 }
        guard let data = try? Data(contentsOf: config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let modelType = object["model_type"] as? String
        else { return nil }
        if modelType == "whisper" { return .whisper }
        if modelType.hasPrefix("qwen3_asr") {
            // The aligner ships the ASR config shape with a forced-aligner thinker inside.
            let text = String(decoding: data, as: UTF8.self)
            return text.contains("forced_aligner") ? .qwen3Aligner : .qwen3ASR
        }
        return nil
    }

    /// The recognizer `scriba subtitles` (and other commands without `--model`) use: Qwen3-ASR when
    /// it is in the cache, else Whisper base with a one-line notice saying how to get Qwen3.
    public static func defaultRecognizerModel(resolver: ModelResolver) -> DefaultModelChoice {
        for name in preferredRecognizers where (try? resolver.localLocation(name)) != nil {
            return DefaultModelChoice(name: name, engine: .qwen3ASR, notice: nil)
        }
        return DefaultModelChoice(
            name: whisperBase, engine: .whisperCTranslate2,
            notice: "note: Qwen3-ASR is not in the model cache, using Whisper base; for better accuracy run `scriba models pull \(preferredRecognizers[0])`.")
    }
}

/// The model picked when the user named none.
public struct DefaultModelChoice: Sendable, Equatable {
    public let name: String
    public let engine: ModelEngine
    /// A line to print on stderr when the fallback was taken.
    public let notice: String?
}
