import Foundation
import Hummingbird
import HummingbirdTesting
import ScribaPipeline
import Testing
@testable import ScribaServer
import ScribaTestSupport

/// The real Whisper base engine behind the routes, on the LibriVox clip
/// Tests/Fixtures/whisper/librivox-0870.wav (7.1 s: "And Mr. John Dashwood had then leisure to
/// consider how much there might be prudently in his power to do for them."). CI fetches the
/// weights with scripts/fetch-whisper-base; without them these tests are skipped.
enum WhisperServerFixture {
    static let weights = TestLocations.whisperBase

    static var installed: Bool { TestLocations.hasWhisperBase }

    static let clip: [UInt8] = {
return (try? Array(Data(contentsOf: TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav")))) ?? []
    }()

    static let upload = Multipart().file("audio", "librivox-0870.wav", clip)
    static let openAIUpload = Multipart().file("file", "librivox-0870.wav", clip).field("model", "whisper-1")

    /// Loaded once: the suite's requests share it, as `scriba serve` shares one model.
    static let engines: Result<EngineHost, any Error> = Result {
        EngineHost(recognizer: try WhisperRecognizer(folder: weights), aligner: nil,
                   limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 8))
    }
}

@Suite(.serialized, .enabled(if: WhisperServerFixture.installed,
                             "Whisper base weights not found; run scripts/fetch-whisper-base"))
struct WhisperRoutesTests {
    static let duration = 7.1

    func withASR(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let engines = try WhisperServerFixture.engines.get()
        let app = buildASRApplication(configuration: configuration(maxUploadBytes: 5_000_000), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    /// Every span inside the clip, ordered, none reversed.
    func expectSaneTimes(_ items: [[String: Any]], _ what: String) {
        #expect(!items.isEmpty, "\(what): empty")
        var previousStart = 0.0
        for item in items {
            let start = number(item["start"]) ?? -1, end = number(item["end"]) ?? -1
            #expect(start >= 0 && start <= end && end <= Self.duration + 0.01, "\(what): \(item)")
            #expect(start >= previousStart - 0.01, "\(what): out of order at \(item)")
            previousStart = start
        }
    }

    // Debug-build Whisper is slow: each test makes as few requests as covers its endpoint.
    @Test func transcribeDetectsEnglishAndGivesWhisperWordTimes() async throws {
        try await withASR { client in
            let response = try await client.post("/transcribe", WhisperServerFixture.upload.field("timestamps", "true"))
            #expect(response.status == .ok, "\(response.text)")
            let text = (response.json["text"] as? String ?? "").lowercased()
            for word in ["dashwood", "leisure", "consider", "prudently", "power"] {
                #expect(text.contains(word), "'\(word)' missing from \(text)")
            }
            #expect(response.json["language"] as? String == "English" && response.json["language_code"] as? String == "en")
            // Whisper detected it: its probability is carried through.
            #expect((number(response.json["language_probability"]) ?? 0) > 0.5)
            #expect(number(response.json["duration"]) == Self.duration)
            let words = objects(response.json["words"])
            expectSaneTimes(words, "words")
            // faster-whisper: 22 words, "And" 0.00–0.34 s, "them." from 6.58 s.
            #expect(words.count == 22)
            #expect(abs((number(words.first?["end"]) ?? 0) - 0.34) <= 0.1)
            #expect(abs((number(words.last?["start"]) ?? 0) - 6.58) <= 0.1)
            #expect((words.first(where: { ($0["word"] as? String)?.contains("Dashwood") == true })) != nil)
            let sentences = objects(response.json["sentences"])
            expectSaneTimes(sentences, "sentences")
            #expect((sentences.last?["text"] as? String)?.hasSuffix("them.") == true)
        }
    }

    @Test func openAISRTAndVerboseJSONWithWordTimes() async throws {
        try await withASR { client in
            let srt = try await client.post("/v1/audio/transcriptions", WhisperServerFixture.openAIUpload.field("response_format", "srt"))
            #expect(srt.status == .ok, "\(srt.text)")
            #expect(srt.text.hasPrefix("1\n00:00:00,"))
            #expect(srt.text.contains(" --> ") && srt.text.contains("Dashwood"))

            let form = WhisperServerFixture.openAIUpload.field("response_format", "verbose_json").field("language", "en")
                .field("timestamp_granularities[]", "word").field("timestamp_granularities[]", "segment")
            let verbose = try await client.post("/v1/audio/transcriptions", form)
            #expect(verbose.status == .ok, "\(verbose.text)")
            #expect(verbose.json["language"] as? String == "english")
            // Given, not detected: no probability.
            #expect(verbose.json["language_probability"] is NSNull)
            #expect(number(verbose.json["duration"]) == Self.duration)
            let words = objects(verbose.json["words"])
            expectSaneTimes(words, "verbose words")
            #expect(words.count == 22)
            expectSaneTimes(objects(verbose.json["segments"]), "verbose segments")
        }
    }
}

@Suite(.serialized, .enabled(if: WhisperServerFixture.installed,
                             "Whisper base weights not found; run scripts/fetch-whisper-base"))
struct WhisperAlignRoutesTests {
    static let text = "And Mister John Dashwood had then leisure to consider how much there might be prudently in his power to do for them."

    @Test func alignTimesTheGivenTextWithWhisperWordTimes() async throws {
        let engines = try WhisperServerFixture.engines.get()
        let app = buildAlignApplication(configuration: configuration(maxUploadBytes: 5_000_000), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            let form = WhisperServerFixture.upload.field("text", Self.text).field("language", "en")
            let response = try await client.post("/align", form)
            #expect(response.status == .ok, "\(response.text)")
            let words = objects(response.json["words"])
            // One entry per given word, in order, spelt as given ("Mister", though Whisper wrote "Mr.").
            #expect(words.map { $0["word"] as? String ?? "" } == Self.text.split(separator: " ").map {
                $0.trimmingCharacters(in: .punctuationCharacters)
            })
            var previous = 0.0
            for word in words {
                let start = number(word["start"]) ?? -1, end = number(word["end"]) ?? -1
                #expect(start >= previous - 0.01 && start <= end && end <= 7.11, "\(word)")
                previous = start
            }
            // faster-whisper's times for the clip: "And" ends at 0.34 s, "them." starts at 6.58 s.
            #expect(abs((number(words.first?["end"]) ?? 0) - 0.34) <= 0.1)
            #expect(abs((number(words.last?["start"]) ?? 0) - 6.58) <= 0.1)
            let sentences = objects(response.json["sentences"])
            #expect(sentences.count == 1)
            #expect(sentences.first?["text"] as? String == Self.text)
            #expect(number(response.json["duration"]) == 7.1)
        }
    }
}
