import Foundation
import ScribaAudio
import ScribaModels

/// Qwen3-ForcedAligner served by vLLM as a pooling model, as a `ForcedAligner`:
/// ```
/// vllm serve Qwen/Qwen3-ForcedAligner-0.6B-hf --runner pooling --convert classify \
///   --pooler-config '{"tok_pooling_type":"STEP","step_tag_id":151705,"use_activation":false}' \
///   --trust-request-chat-template
/// ```
/// One `POST /pooling` per window, in the shape of vLLM's
/// `examples/pooling/token_classify/forced_alignment_online.py`: a user message holding the prompt
/// `<|audio_start|><|audio_pad|><|audio_end|>unit<timestamp><timestamp>…` and the audio as a WAV data
/// URI, `task: token_classify`, and a chat template that passes the prompt through unchanged. STEP
/// pooling answers one logits row per `<timestamp>` (2 per unit); each row's arg-max × 80 ms is a
/// time, repaired as the local aligner repairs it (`Qwen3ForcedAligner.alignment`). The units and
/// the windowing (`WindowedAligner`) are the local aligner's, so both give the same words.
public struct VLLMPoolingAligner: ForcedAligner, UnitAligner {
    let client: RemoteHTTPClient
    public let model: String?
    public let maxChunkDuration: Double
    /// The checkpoint's `timestamp_segment_time`.
    public let segmentMilliseconds: Double
    public let safety: AlignmentSafetyOptions

    /// vLLM's chat template that makes the first message's content the whole prompt.
    static let rawContentTemplate = "{{ messages[0]['content'] }}"
    public static let defaultSegmentMilliseconds = 80.0

    public init(baseURL: String, model: String? = nil, retry: RetryPolicy = .init(),
                maxChunkDuration: Double = Qwen3Aligner.defaultMaxChunkDuration,
                segmentMilliseconds: Double = defaultSegmentMilliseconds, safety: AlignmentSafetyOptions = .init(),
                timeout: Double = EngineChoice.defaultRemoteTimeout) throws {
        client = RemoteHTTPClient(endpoint: try RemoteHTTPClient.endpoint(baseURL, path: "pooling"), retry: retry, timeout: timeout)
        self.model = model
        self.maxChunkDuration = maxChunkDuration
        self.segmentMilliseconds = segmentMilliseconds
        self.safety = safety
    }

    public var endpoint: URL { client.endpoint }
    public var modelName: String { "remote \(client.endpoint.absoluteString)\(model.map { " (\($0))" } ?? "")" }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        try await WindowedAligner(base: self, options: safety).align(audio, text: text, language: language)
    }

    public func units(of text: String, language: Language) throws -> [String] {
        try Qwen3ForcedAligner.units(of: text, language: language.name)
    }

    public func align(_ audio: AudioBuffer, units: [String]) async throws -> [TimedWord] {
        guard !units.isEmpty else { return [] }
        let rows = try client.decode(Response.self, from: try await client.post(json: try request(audio, units: units))).data.first?.data ?? []
        guard rows.count == 2 * units.count else {
            throw RemoteEngineError.invalidResponse(
                url: client.endpoint.absoluteString,
                reason: "\(rows.count) logits rows for \(2 * units.count) <timestamp> tokens; start vLLM with --pooler-config '{\"tok_pooling_type\":\"STEP\",\"step_tag_id\":151705,\"use_activation\":false}'")
        }
        let bins = rows.map(Self.argmax)
        let alignment = Qwen3ForcedAligner.alignment(units: units, bins: bins, segmentMilliseconds: segmentMilliseconds)
        return Qwen3Aligner.timedWords(alignment.units, duration: audio.duration)
    }

    /// The first index of the largest value (as torch's argmax on CPU and the local aligner pick).
    static func argmax(_ row: [Float]) -> Int {
        var best = 0
        for index in row.indices where row[index] > row[best] { best = index }
        return best
    }

    static func prompt(units: [String]) -> String {
        "<|audio_start|><|audio_pad|><|audio_end|>" + units.joined(separator: "<timestamp><timestamp>") + "<timestamp><timestamp>"
    }

    func request(_ audio: AudioBuffer, units: [String]) throws -> Data {
        let uri = "data:audio/wav;base64," + WAVWriter.encode(audio).base64EncodedString()
        let body = Request(model: model, messages: [.init(role: "user", content: [
            .init(type: "text", text: Self.prompt(units: units), audioURL: nil),
            .init(type: "audio_url", text: nil, audioURL: .init(url: uri)),
        ])], task: "token_classify", chatTemplate: Self.rawContentTemplate)
        return try JSONEncoder().encode(body)
    }

    struct Request: Codable {
        struct Message: Codable {
            struct Part: Codable {
                struct AudioURL: Codable { let url: String }
                let type: String
                let text: String?
                let audioURL: AudioURL?
                enum CodingKeys: String, CodingKey { case type, text; case audioURL = "audio_url" }
            }
            let role: String
            let content: [Part]
        }
        let model: String?
        let messages: [Message]
        let task: String
        let chatTemplate: String
        enum CodingKeys: String, CodingKey { case model, messages, task; case chatTemplate = "chat_template" }
    }

    /// `{"data": [{"data": [[logit, …] per <timestamp>]}], …}`
    struct Response: Decodable {
        struct Item: Decodable { let data: [[Float]] }
        let data: [Item]
    }
}
