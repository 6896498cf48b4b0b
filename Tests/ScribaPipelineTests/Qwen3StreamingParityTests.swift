import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTranscript
@testable import ScribaPipeline
import ScribaTestSupport

// Qwen3-ASR streaming against the official `streaming_transcribe` / `finish_streaming_transcribe`
// (qwen-asr 0.0.6) on the tiny checkpoint: every step's prompt ids and greedy output equal, step by
// step (Tests/Fixtures/qwen3-streaming, made by scripts/fixtures/make_qwen3_streaming_fixtures.py).

struct Qwen3StreamingParityTests {
    typealias F = Qwen3PipelineFixtures

    static func reference() throws -> [String: Any] {
        let url = TestLocations.fixtures.appendingPathComponent("qwen3-streaming/streaming_reference.json")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func run(_ mode: String) throws -> [String: Any] {
        let runs = try #require(try reference()["runs"] as? [[String: Any]])
        return try #require(runs.first { $0["mode"] as? String == mode })
    }

    /// The official session fed the stream in the reference's 0.2 s pieces, stepping after each.
    @Test(arguments: ["forced", "auto"])
    func everyStepsPromptAndGreedyOutputEqualTheOfficialStreaming(mode: String) async throws {
        let root = try Self.reference()
        let run = try Self.run(mode)
        let steps = try #require(run["steps"] as? [[String: Any]])
        let streamSamples = try #require(root["stream_samples"] as? Int), feed = try #require(root["feed_samples"] as? Int)
        let samples = Array(try F.floats("audio/long_40s.f32").prefix(streamSamples))
        let recognizer = try Qwen3Recognizer(folder: F.url("asr-tiny-f32"), encoderAttention: .windowed)
        let language = mode == "forced" ? Language.named("English") : nil
        let session = Qwen3StreamingSession(recognizer: recognizer, options: Qwen3StreamingOptions(mode: .official, language: language))
        await session.setRecordsDecodes(true)
        for start in stride(from: 0, to: samples.count, by: feed) {
            await session.append(Array(samples[start..<min(start + feed, samples.count)]))
            _ = try await session.step()
        }
        let events = try await session.finish()
        let decodes = await session.decodes
        #expect(decodes.count == steps.count)
        for (index, (decode, step)) in zip(decodes, steps).enumerated() {
            #expect(decode.promptIDs == F.ints(step["prompt_ids"]), "step \(index): prompt ids")
            #expect(decode.ids == F.ints(step["ids"]), "step \(index): greedy ids")
            #expect(decode.text == step["generated_text"] as? String, "step \(index): text")
        }
        // The steps with a prefix are the ones the rollback rule shaped.
        #expect(steps.contains { !(($0["prefix"] as? String) ?? "").isEmpty })
        let rawAtEnd = await session.rawOutput
        #expect(rawAtEnd == steps.last?["raw_decoded"] as? String)
        guard case .final(let transcript)? = events.last else { Issue.record("no final event"); return }
        #expect(!transcript.segments.isEmpty)
    }

    /// The prefix rule on scripted outputs (multi-byte text cut inside characters): the official
    /// code's prompts, including its U+FFFD back-off, and `finish`'s variant.
    @Test func prefixRuleEqualsTheOfficialOnMultiByteText() throws {
        let cases = try #require(try Self.reference()["prefix_cases"] as? [String: Any])
        let answers = try #require(cases["answers"] as? [String])
        let expected = try #require(cases["prefixes"] as? [String])
        let tokenizer = try BPETokenizer.load(folder: F.url("asr-tiny-f32"))
        var raw = "", prefixes: [String] = []
        for (chunk, answer) in answers.enumerated() {
            let prefix = Qwen3StreamingPrefix.make(raw: raw, chunkID: chunk, unfixedChunks: 2, unfixedTokens: 5,
                                                   finishing: chunk == answers.count - 1, tokenizer: tokenizer)
            #expect(prefix.kept == prefix.prompt)
            prefixes.append(prefix.prompt)
            raw = prefix.kept + answer
        }
        #expect(prefixes == expected)
        #expect(raw == cases["final_raw_decoded"] as? String)
        // The cases reach the back-off: cutting exactly five tokens would have left U+FFFD somewhere.
        var raws = [""]
        for (prefix, answer) in zip(expected, answers) { raws.append(prefix + answer) }
        let cut = raws.dropLast().dropFirst(2).map { raw -> String in
            let ids = tokenizer.encode(raw)
            return tokenizer.decode(Array(ids.prefix(max(0, ids.count - 5))))
        }
        #expect(cut.contains { $0.unicodeScalars.contains("\u{FFFD}") })
    }
}
