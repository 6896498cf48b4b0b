import Foundation
import Hummingbird
import HummingbirdTesting
import ScribaAudio
import ScribaPipeline
import ScribaTestSupport
import Testing
@testable import ScribaServer

// `diarize=true` on `POST /transcribe` and `POST /v1/audio/transcriptions`. Field checks and the
// missing-models answer need no weights; the speaker labels come from the real diarizer on two real
// speakers (TwoSpeakerRecording) with a fake recogniser whose words are spread over the whole upload.

/// Word i of the text (n words) spans [i, i + 0.6] · duration / n: words all through the audio.
struct SpreadAligner: ForcedAligner {
    var modelName = "spread-aligner"
    var maxChunkDuration = 30.0

    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        let words = text.split(separator: " ")
        let step = audio.duration / Double(words.count)
        return words.enumerated().map { index, word in
            TimedWord(text: word.filter { $0.isLetter }, start: step * Double(index), end: step * (Double(index) + 0.6))
        }
    }
}

@Suite struct DiarizationRoutesTests {
    func withASR(_ engines: EngineHost = fakeEngines(), _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = buildASRApplication(configuration: configuration(maxUploadBytes: 2_000_000), engines: engines, logger: testLogger)
        try await app.test(.router) { client in try await test(client) }
    }

    func errorParam(_ response: TestResponse) -> String? {
        (response.json["error"] as? [String: Any])?["param"] as? String
    }

    @Test func badSpeakerCountsAre400NamingTheField() async throws {
        let cases: [([(String, String)], String)] = [
            ([("diarize", "true"), ("speakers", "0")], "speakers"),
            ([("diarize", "true"), ("speakers", "two")], "speakers"),
            ([("diarize", "true"), ("min_speakers", "-1")], "min_speakers"),
            ([("speakers", "2")], "speakers"),
            ([("diarize", "true"), ("speakers", "2"), ("max_speakers", "3")], "speakers"),
            ([("diarize", "true"), ("min_speakers", "4"), ("max_speakers", "2")], "min_speakers"),
            ([("diarize", "maybe")], "diarize"),
        ]
        try await withASR { client in
            for (fields, param) in cases {
                var form = oneSecondUpload, openAI = Multipart().file("file", "tone.wav", wavBytes(seconds: 1))
                for (name, value) in fields {
                    form = form.field(name, value)
                    openAI = openAI.field(name, value)
                }
                let response = try await client.post("/transcribe", form)
                #expect(response.status == .badRequest, "\(fields): \(response.text)")
                #expect(errorParam(response) == param, "\(fields)")
                let openAIResponse = try await client.post("/v1/audio/transcriptions", openAI)
                #expect(openAIResponse.status == .badRequest, "\(fields): \(openAIResponse.text)")
            }
            // Streamed text has no speakers.
            let streamed = try await client.post("/v1/audio/transcriptions",
                                                 Multipart().file("file", "tone.wav", wavBytes(seconds: 1)).field("stream", "true").field("diarize", "true"))
            #expect(streamed.status == .badRequest && errorParam(streamed) == "diarize")
        }
    }

    @Test func missingModelsAre501SayingToFetchThemBeforeAnyTranscription() async throws {
        let recognizer = FakeRecognizer()
        let engines = fakeEngines(recognizer: recognizer)
        await engines.useDiarizationModels(in: URL(fileURLWithPath: "/nonexistent/models"))
        try await withASR(engines) { client in
            let response = try await client.post("/transcribe", oneSecondUpload.field("diarize", "true"))
            #expect(response.status == .notImplemented)
            let error = response.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "diarization_models_missing")
            let message = error?["message"] as? String ?? ""
            #expect(message.contains("scripts/fetch-diarization-models") && !message.contains("/nonexistent"), "\(message)")
            let openAI = try await client.post("/v1/audio/transcriptions",
                                               Multipart().file("file", "tone.wav", wavBytes(seconds: 1)).field("diarize", "true"))
            #expect(openAI.status == .notImplemented)
            // Without diarize the same server answers.
            #expect(try await client.post("/transcribe", oneSecondUpload).status == .ok)
        }
        #expect(await recognizer.recorder.options.count == 1, "only the request without diarize reached the recogniser")
    }

    @Test(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
    func twoRealSpeakersAreLabelledOnWordsSegmentsAndSubtitles() async throws {
        let text = Array(repeating: "word", count: 24).joined(separator: " ") + "."
        let engines = EngineHost(recognizer: FakeRecognizer(text: text), aligner: SpreadAligner(),
                                 limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 4), voiceDetector: .energy)
        await engines.useDiarizationModels(in: TestLocations.modelsFolder)
        let wav = Array(try TwoSpeakerRecording.wav()), spans = try TwoSpeakerRecording.spans()
        /// The clip a time falls in, 0.5 s clear of its edges; nil near a change.
        @Sendable func clip(_ time: Double) -> Int? { spans.firstIndex { ($0.lowerBound + 0.5)...($0.upperBound - 0.5) ~= time } }
        try await withASR(engines) { client in
            let response = try await client.post("/transcribe", Multipart().file("audio", "two.wav", wav)
                .field("diarize", "true").field("timestamps", "true"))
            #expect(response.status == .ok, "\(response.text)")
            #expect(objects(response.json["speakers"]).map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2"])
            #expect(objects(response.json["utterances"]).map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1"])
            var byClip: [Int: Set<String>] = [:]
            for word in objects(response.json["words"]) {
                let middle = ((number(word["start"]) ?? 0) + (number(word["end"]) ?? 0)) / 2
                if let index = clip(middle), let speaker = word["speaker"] as? String { byClip[index, default: []].insert(speaker) }
            }
            #expect(byClip == [0: ["SPEAKER_1"], 1: ["SPEAKER_2"], 2: ["SPEAKER_1"]], "\(byClip)")

            let verbose = try await client.post("/v1/audio/transcriptions", Multipart().file("file", "two.wav", wav)
                .field("diarize", "true").field("response_format", "verbose_json")
                .field("timestamp_granularities[]", "word").field("timestamp_granularities[]", "segment"))
            #expect(verbose.status == .ok, "\(verbose.text)")
            let segments = objects(verbose.json["segments"])
            #expect(!segments.isEmpty && segments.allSatisfy { ($0["speaker"] as? String)?.hasPrefix("SPEAKER_") == true })
            #expect(Set(objects(verbose.json["words"]).compactMap { $0["speaker"] as? String }) == ["SPEAKER_1", "SPEAKER_2"])

            let srt = try await client.post("/v1/audio/transcriptions", Multipart().file("file", "two.wav", wav)
                .field("diarize", "true").field("response_format", "srt"))
            #expect(srt.text.contains("SPEAKER_1: ") && srt.text.contains("SPEAKER_2: "), "\(srt.text)")
        }
    }
}
