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
    public init(baseURL: String, retry: RetryPolicy = .init(), maxChunkDuration: Double = 30, timeout: Double = 600) throws {
        client = RemoteHTTPClient(endpoint: try RemoteHTTPClient.endpoint(baseURL, path: "transcribe"), retry: retry, timeout: timeout)
        self.maxChunkDuration = maxChunkDuration
    }

    public var endpoint: URL { client.endpoint }
    public var modelName: String { "remote \(client.endpoint.absoluteString)" }

    struct Response: Decodable {
        let text: String
        let language: String?
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
        let worst = [ChunkStatus.failed, .repetition, .truncated].first { statuses.contains($0) } ?? .ok
        return Recognition(language: response.language ?? options.language?.code ?? "",
                           languageProbability: response.languageProbability, text: text, segments: segments, status: worst)
    }
}
