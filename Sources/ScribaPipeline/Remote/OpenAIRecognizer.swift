import Foundation
import ScribaAudio
import ScribaModels

/// An OpenAI-compatible transcription service as a `SpeechRecognizer`: each chunk is sent as 16 kHz
/// mono 16-bit WAV to `POST /v1/audio/transcriptions` with the fields vLLM documents (`file`,
/// `model`, `language`, `prompt`, `response_format=json`, `temperature=0`) and `{"text"}` is read
/// back. Text only: word times come from an aligner (`--aligner-model`, `--align-url`) or not at all.
public struct OpenAIRecognizer: SpeechRecognizer {
    let client: RemoteHTTPClient
    /// The `model` field; vLLM answers 404 for a name it does not serve, so it comes from
    /// `GET /v1/models` (`RemoteAPIDetector`). nil: the field is left out.
    public let model: String?
    public let maxChunkDuration: Double

    public init(baseURL: String, model: String? = nil, retry: RetryPolicy = .init(), maxChunkDuration: Double = 30,
                timeout: Double = EngineChoice.defaultRemoteTimeout) throws {
        client = RemoteHTTPClient(endpoint: try RemoteHTTPClient.endpoint(baseURL, path: "v1/audio/transcriptions"),
                                  retry: retry, timeout: timeout)
        self.model = model
        self.maxChunkDuration = maxChunkDuration
    }

    public var endpoint: URL { client.endpoint }
    public var modelName: String { "remote \(client.endpoint.absoluteString)\(model.map { " (\($0))" } ?? "")" }

    struct Response: Decodable {
        let text: String
        /// Present in `verbose_json` answers (a name, "english"); plain `json` has none.
        let language: String?
    }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        var fields: [RemoteHTTPClient.Field] = [
            RemoteHTTPClient.Field(name: "file", value: WAVWriter.encode(audio), fileName: "chunk.wav", contentType: "audio/wav"),
            .text("response_format", "json"),
            .text("temperature", "0"),
        ]
        if let model { fields.append(.text("model", model)) }
        if let language = options.language { fields.append(.text("language", language.code)) }
        if let context = options.contextText { fields.append(.text("prompt", context)) }
        let response = try client.decode(Response.self, from: try await client.post(fields))
        let (language, text) = Self.split(response.text, forced: options.language)
        let code = language ?? response.language.flatMap { Language.named($0)?.code } ?? ""
        let segments = text.isEmpty ? [] : [TranscriptSegment(start: 0, end: audio.duration, text: text)]
        return Recognition(language: code, text: text, segments: segments)
    }

    /// The text, and the language when the answer is Qwen3-ASR's raw `language X<asr_text>…` (some
    /// servers pass it through); a forced language is kept as given.
    static func split(_ raw: String, forced: Language?) -> (language: String?, text: String) {
        guard raw.contains("<asr_text>") else { return (forced?.code, raw.trimmingWhitespace()) }
        let parsed = Qwen3ASROutput.parse(raw, forcedLanguage: nil)
        return (forced?.code ?? Language.named(parsed.language)?.code, parsed.text)
    }
}
