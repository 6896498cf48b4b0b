import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import ScribaPipeline
import ScribaTestSupport
import Testing
@testable import ScribaServer

/// `/v1/realtime` when the server runs Qwen3-ASR (a small random checkpoint: noise words, real
/// stream): its own streaming method answers, and the deltas add up to `transcription.done`.
struct RealtimeQwen3Tests {
    static let model = TestLocations.fixtures.appendingPathComponent("qwen3-parity/small-untied-s015/model")

    /// 10 s of the espeak clip as PCM16 appends of 0.5 s each.
    static func appends() throws -> [String] {
        let url = TestLocations.fixtures.appendingPathComponent("qwen3/audio/long_40s.f32")
        let pcm = PCMSamples.s16le(Array(try PCMSamples.float32(contentsOf: url).prefix(160_000)))
        return stride(from: 0, to: pcm.count, by: 16_000).map {
            #"{"type": "input_audio_buffer.append", "audio": "\#(Data(pcm[$0..<min($0 + 16_000, pcm.count)]).base64EncodedString())"}"#
        }
    }

    @Test func aQwen3StreamGetsDeltasThatAddUpToDone() async throws {
        let recognizer = try Qwen3Recognizer(folder: Self.model)
        let host = EngineHost(recognizer: recognizer, aligner: nil,
                              limiter: ConcurrencyLimiter(maxConcurrent: 2, maxQueued: 4, retryAfterSeconds: 1))
        let appends = try Self.appends()
        try await RealtimeRoutesTests.app(engines: host).test(.live) { client in
            let session = try await RealtimeRoutesTests.run(port: try #require(client.port)) { out in
                try await out.write(.text(#"{"type": "session.update", "model": "Qwen/Qwen3-ASR-0.6B", "language": "en"}"#))
                try await out.write(.text(#"{"type": "input_audio_buffer.commit"}"#))
                for append in appends {
                    try await out.write(.text(append))
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await out.write(.text(#"{"type": "input_audio_buffer.commit", "final": true}"#))
            }
            #expect(session.of("error").isEmpty, "\(session.texts)")
            let deltas = session.of("transcription.delta")
            #expect(deltas.count >= 2)
            let done = try #require(session.of("transcription.done").first)
            let text = try #require(done["text"] as? String)
            #expect(!text.isEmpty)
            #expect(deltas.compactMap { $0["delta"] as? String }.joined() == text)
        }
    }
}
