// One case of the Qwen3 parity matrix as `scripts/fixtures/make_qwen3_parity.py` writes it: a
// checkpoint built with the official qwen-asr classes (`model/`) and, per run (a clip × language, or
// an aligner text), what the official code computed: features, audio-encoder output, the text
// decoder's hidden rows after every layer, and the logits of every step (ASR) or slot (aligner).

import Foundation
import ScribaModels

public struct ParityCase: Sendable {
    public struct Run: Decodable, Sendable {
        /// "asr" or "aligner".
        public var kind: String
        public var clip: String
        /// Forced language name; nil = detected (auto).
        public var language: String?
        public var audio: String
        public var features: String
        public var featuresShape: [Int]
        public var encoder: String
        public var encoderShape: [Int]
        public var logits: String
        public var logitsShape: [Int]
        public var layers: String
        public var layersShape: [Int]
        /// Prompt positions whose hidden rows `layers` holds (audio positions + the last, or the slots).
        public var layerRows: [Int]
        // ASR
        public var promptIDs: [Int]?
        public var ids: [Int]?
        public var maxNewTokens: Int?
        public var stopTokens: [Int]?
        // Aligner
        public var units: [String]?
        public var inputIDs: [Int]?
        public var bins: [Int]?
        public var minTop2Margin: Double

        enum CodingKeys: String, CodingKey {
            case kind, clip, language, audio, features, encoder, logits, layers, units, ids, bins
            case featuresShape = "features_shape", encoderShape = "encoder_shape", logitsShape = "logits_shape"
            case layersShape = "layers_shape", layerRows = "layer_rows", promptIDs = "prompt_ids"
            case maxNewTokens = "max_new_tokens", stopTokens = "stop_tokens", inputIDs = "input_ids"
            case minTop2Margin = "min_top2_margin"
        }

        /// "7s/English", "7s/auto", "7s/align".
        public var label: String { "\(clip)/\(kind == "aligner" ? "align" : language ?? "auto")" }
    }

    private struct Manifest: Decodable {
        var name: String
        var model: String
        var attention: String
        var runs: [Run]
    }

    public let name: String
    public let folder: URL
    public let modelFolder: URL
    /// The encoder attention the official outputs were computed with: "whole-clip" (the transformers
    /// CPU path as shipped) or "windowed" (the encoder's own window mask, as flash-attention-2/vLLM).
    public let attention: Qwen3EncoderAttention
    public let runs: [Run]

    /// Reads `folder/case.json`.
    public init(folder: URL) throws {
        let url = folder.appendingPathComponent("case.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ParityError.unreadable(url, "no case.json: make one with scripts/fixtures/make_qwen3_parity.py")
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
            throw ParityError.unreadable(url, "not a parity case (\(error))")
        }
        name = manifest.name
        self.folder = folder
        modelFolder = folder.appendingPathComponent(manifest.model)
        switch manifest.attention {
        case "whole-clip": attention = .wholeClip
        case "windowed": attention = .windowed
        default: throw ParityError.unreadable(url, "attention \"\(manifest.attention)\" is neither whole-clip nor windowed")
        }
        runs = manifest.runs
    }

    /// A little-endian float32 file of the case, checked against its shape.
    public func floats(_ relative: String, shape: [Int]) throws -> [Float] {
        let url = folder.appendingPathComponent(relative)
        guard let data = try? Data(contentsOf: url) else { throw ParityError.unreadable(url, "missing") }
        let count = shape.reduce(1, *)
        guard data.count == count * 4 else {
            throw ParityError.unreadable(url, "\(data.count) bytes, expected \(count) float32 for shape \(shape)")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    public func url(_ relative: String) -> URL { folder.appendingPathComponent(relative) }

    /// The case folders under `root` (those with a case.json), sorted by name; `root` itself if it is one.
    public static func folders(under root: URL) -> [URL] {
        let fm = FileManager.default
        if fm.fileExists(atPath: root.appendingPathComponent("case.json").path) { return [root] }
        let children = (try? fm.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
        return children.filter { fm.fileExists(atPath: $0.appendingPathComponent("case.json").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

public enum ParityError: Error, CustomStringConvertible {
    case unreadable(URL, String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .unreadable(let url, let why): return "\(url.path): \(why)"
        case .mismatch(let why): return why
        }
    }
}
