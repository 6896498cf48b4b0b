import Foundation
import Hummingbird
import HummingbirdTesting
import ScribaAudio
import ScribaPipeline
import ScribaTestSupport
import Testing
@testable import ScribaServer

/// `scriba serve --vad silero`: the routes listen with the server's detector. On two minutes of music
/// and noise beds without speech (Tests/Fixtures/silero/noise_music_120s.flac, re-encoded as WAV by the
/// client here) a recogniser that "hears" text in anything gets no chunk with Silero, every chunk
/// with the energy detector.
@Suite struct VoiceDetectorRouteTests {
    @Test(arguments: [VoiceDetectorKind.silero, .energy])
    func musicReachesTheModelOnlyWithEnergy(detector: VoiceDetectorKind) async throws {
        let music = try AudioFile.load(TestLocations.fixtures.appendingPathComponent("silero/noise_music_120s.flac")).audio
        let wav = WAVWriter.encode(music)
        let engines = EngineHost(recognizer: FakeRecognizer(text: "la la la"), aligner: nil,
                                 limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 1, retryAfterSeconds: 1),
                                 voiceDetector: detector)
        let app = buildASRApplication(configuration: configuration(maxUploadBytes: 10_000_000), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "music.wav", Array(wav)))
            #expect(response.status == .ok)
            let text = response.json["text"] as? String ?? "?"
            if detector == .silero { #expect(text.isEmpty, "silero: \(text)") } else { #expect(text.contains("la la la")) }
        }
    }
}
