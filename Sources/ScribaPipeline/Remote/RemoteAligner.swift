import Foundation
import ScribaAudio

/// A Scriba aligner service (`scriba serve`, port 7862) as a `ForcedAligner`: `POST /align` with
/// fields `audio` (16-bit WAV), `text`, `language` → `{"words": [{"word", "start", "end"}], ...}`.
public struct RemoteAligner: ForcedAligner {
    let client: RemoteHTTPClient
    public let maxChunkDuration: Double

    /// `baseURL`: the service address ("http://host:7862"), or the full `/align` URL.
    public init(baseURL: String, retry: RetryPolicy = .init(), maxChunkDuration: Double = 30, timeout: Double = EngineChoice.defaultRemoteTimeout) throws {
        client = RemoteHTTPClient(endpoint: try RemoteHTTPClient.endpoint(baseURL, path: "align"), retry: retry, timeout: timeout)
        self.maxChunkDuration = maxChunkDuration
    }

    public var endpoint: URL { client.endpoint }
    public var modelName: String { "remote \(client.endpoint.absoluteString)" }

    struct Response: Decodable {
        let words: [RemoteWord]
    }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        guard !text.trimmingWhitespace().isEmpty else { return [] }
        let fields: [RemoteHTTPClient.Field] = [
            RemoteHTTPClient.Field(name: "audio", value: WAVWriter.encode(audio), fileName: "chunk.wav", contentType: "audio/wav"),
            .text("text", text),
            .text("language", language.code),
        ]
        return try client.decode(Response.self, from: try await client.post(fields)).words.map(\.timedWord)
    }
}
