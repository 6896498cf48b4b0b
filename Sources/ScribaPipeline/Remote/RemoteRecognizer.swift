import Foundation
import ScribaAudio

/// A Scriba ASR service (`scriba serve`, port 7861) as a `SpeechRecognizer`: each chunk is sent as
/// 16-bit WAV to `POST /transcribe` (fields `audio`, `language`, `context`, `timestamps`) and the JSON
/// `{"text", "language", "duration", "words"?}` is read back.
public struct RemoteRecognizer: SpeechRecognizer {
    let client: RemoteHTTPClient
    public let maxChunkDuration: Double

    /// `baseURL`: the service address ("http://host:7861"), or the full `/transcribe` URL.
    /// `maxChunkDuration`: the service chunks long uploads itself; chunking here keeps each upload
    /// and each retry small.
    public init(baseURL: String, retry: RetryPolicy = .init(), maxChunkDuration: Double = 30, timeout: Double = EngineChoice.defaultRemoteTimeout) throws {
        client = RemoteHTTPClient(endpoint: try RemoteHTTPClient.endpoint(baseURL, path: "transcribe"), retry: retry, timeout: timeout)
        self.maxChunkDuration = maxChunkDuration
    }

    public var endpoint: URL { client.endpoint }
    public var modelName: String { "remote \(client.endpoint.absoluteString)" }

    struct Response: Decodable {
        let text: String
        /// The model's English name ("Chinese") from `scriba serve` and the original service; a code
        /// from others.
        let language: String?
        /// The code ("zh"), which `scriba serve` sends beside the name.
        let languageCode: String?
        let duration: Double?
        let languageProbability: Double?
        let words: [RemoteWord]?
        /// The service's own chunk coverage (`scriba serve` sends it); a partial chunk there makes
        /// this chunk partial here.
        let chunks: [RemoteChunk]?

        struct RemoteChunk: Decodable {
            let status: String
        }

        enum CodingKeys: String, CodingKey {
            case text, language, duration, words, chunks
            case languageProbability = "language_probability"
            case languageCode = "language_code"
        }
    }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        var fields: [RemoteHTTPClient.Field] = [
            RemoteHTTPClient.Field(name: "audio", value: WAVWriter.encode(audio), fileName: "chunk.wav", contentType: "audio/wav"),
            .text("language", options.language?.code ?? "auto"),
        ]
        if let context = options.context, !context.isEmpty { fields.append(.text("context", context)) }
        if options.wordTimestamps { fields.append(.text("timestamps", "true")) }
        let response = try client.decode(Response.self, from: try await client.post(fields))
        let text = response.text.trimmingWhitespace()
        let words = response.words?.map(\.timedWord) ?? []
        let segments = text.isEmpty ? [] : [TranscriptSegment(
            start: words.first?.start ?? 0, end: words.last?.end ?? response.duration ?? audio.duration, text: text, words: words)]
        let statuses = (response.chunks ?? []).compactMap { ChunkStatus(rawValue: $0.status) }
        let worst = [ChunkStatus.failed, .repetition, .truncated, .unaligned].first { statuses.contains($0) } ?? .ok
        return Recognition(language: Self.code(of: response) ?? options.language?.code ?? "",
                           languageProbability: response.languageProbability, text: text, segments: segments, status: worst)
    }

    /// The language code an answer names: `language_code`, else `language` read as a code or a name.
    static func code(of response: Response) -> String? {
        if let code = response.languageCode, !code.isEmpty { return code }
        guard let language = response.language, !language.isEmpty else { return nil }
        return ((try? Language.parse(language)) ?? nil)?.code ?? language
    }
}
