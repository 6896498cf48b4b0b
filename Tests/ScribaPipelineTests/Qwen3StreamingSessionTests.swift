import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTranscript
@testable import ScribaPipeline
import ScribaTestSupport

// Qwen3-ASR live mode on the tiny checkpoint (random weights: the words are noise, the mechanics are
// real): commits only append, the model hears a bounded span, cached encoder windows and kept KV
// rows change nothing, a silence starts a new segment. And the stable frontier on its own.

struct Qwen3StreamingSessionTests {
    typealias F = Qwen3PipelineFixtures

    struct Stream {
        var committedEvents: [[TimedWord]] = []
        var final: Transcript?
        var maxHeard = 0.0
        var maxCachedWindows = 0
        var decodes: [Qwen3StreamingDecode] = []
        var reanchors = 0
    }

    /// Feeds `samples` in 0.2 s pieces, stepping after each, then finishes.
    /// The parity matrix's small checkpoint (2 s encoder windows) writes spaces in its noise, so
    /// the frontier has words to commit; the tiny one mostly writes U+FFFD.
    static let wordyModel = "../qwen3-parity/small-untied-s015/model"

    static func stream(_ samples: [Float], options: Qwen3StreamingOptions, model: String = wordyModel) async throws -> Stream {
        let recognizer = try Qwen3Recognizer(folder: F.url(model))
        let session = Qwen3StreamingSession(recognizer: recognizer, options: options)
        await session.setRecordsDecodes(true)
        var result = Stream()
        func collect(_ events: [StreamingEvent]) {
            for event in events {
                if case .committed(let words) = event { result.committedEvents.append(words) }
                if case .final(let transcript) = event { result.final = transcript }
            }
        }
        for start in stride(from: 0, to: samples.count, by: 3_200) {
            await session.append(Array(samples[start..<min(start + 3_200, samples.count)]))
            collect(try await session.step())
            result.maxHeard = max(result.maxHeard, await session.heardSeconds)
            result.maxCachedWindows = max(result.maxCachedWindows, await session.cachedWindowCount)
        }
        collect(try await session.finish())
        result.decodes = await session.decodes
        result.reanchors = await session.reanchors
        return result
    }

    /// Every committed word is in the final transcript, in order, and times only move forward.
    static func expectAppendOnly(_ stream: Stream) throws {
        let final = try #require(stream.final)
        let committed = stream.committedEvents.flatMap { $0 }
        #expect(final.segments.flatMap(\.words) == committed)
        for (previous, next) in zip(committed, committed.dropFirst()) {
            #expect(next.start >= previous.end - 1e-9, "\(previous) then \(next)")
        }
    }

    @Test func liveModeOnlyAppendsAndHearsABoundedSpan() async throws {
        let samples = try F.floats("audio/long_40s.f32")
        let options = Qwen3StreamingOptions(mode: .live, language: Language.named("English"), contextWindows: 3, silenceLevel: 0)
        let stream = try await Self.stream(samples, options: options)
        try Self.expectAppendOnly(stream)
        // Words were committed while the stream ran, not only at its end.
        #expect(stream.committedEvents.count > 2)
        #expect(stream.committedEvents.dropLast().flatMap { $0 }.count > 10)
        // 40 s of audio, but the model never heard more than three 2 s windows.
        #expect(stream.maxHeard <= 3 * 2 + 1e-9 && stream.maxHeard > 4)
        #expect(stream.maxCachedWindows >= 1)
        #expect(stream.decodes.count == 20)
        // The prompt's prefix stayed within 150 tokens: prompt = fixed part + audio (3 × 26) + prefix.
        for decode in stream.decodes { #expect(decode.promptIDs.count <= 40 + 3 * 26 + 150) }
        #expect(stream.decodes.contains { $0.promptIDs.count > 40 + 3 * 26 + 100 })
    }

    @Test func keptKVRowsGiveTheSameStepsAsAFullPrefill() async throws {
        let samples = Array(try F.floats("audio/long_40s.f32").prefix(16_000 * 20))
        var options = Qwen3StreamingOptions(mode: .live, language: Language.named("English"), silenceLevel: 0)
        let kept = try await Self.stream(samples, options: options, model: "asr-tiny-f32")
        options.reusesPromptCache = false
        let full = try await Self.stream(samples, options: options, model: "asr-tiny-f32")
        #expect(kept.decodes.map(\.promptIDs) == full.decodes.map(\.promptIDs))
        #expect(kept.decodes.map(\.ids) == full.decodes.map(\.ids))
    }

    @Test func aSilenceStartsANewSegmentAndCommitsWhatCameBefore() async throws {
        let speech = Array(try F.floats("audio/long_40s.f32").prefix(16_000 * 8))
        let samples = speech + [Float](repeating: 0, count: 16_000 * 2) + speech
        let stream = try await Self.stream(samples, options: Qwen3StreamingOptions(mode: .live, language: Language.named("English")))
        #expect(stream.reanchors >= 1)
        try Self.expectAppendOnly(stream)
        #expect(stream.committedEvents.count > 2)
        // After the re-anchor the committed text is in the system turn: it ends later than the first
        // prompt's (`<|im_start|>system\n<|im_end|>`).
        let first = try #require(stream.decodes.first?.promptIDs)
        let imEnd = first[4]
        #expect(stream.decodes.contains { ($0.promptIDs.firstIndex(of: imEnd) ?? 0) > 4 })
    }

    @Test func frontierCommitsWholeWordsThatExtendWhatWasCommitted() {
        var frontier = StableFrontier()
        func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }
        // The last word may be cut at a token boundary: it waits.
        #expect(frontier.advance(stable: scalars("Hello wor"), offset: 0, final: false) == ["Hello"])
        #expect(frontier.advance(stable: scalars("Hello world, how"), offset: 0, final: false) == ["world,"])
        // A rewrite of committed text commits nothing until the output agrees again.
        #expect(frontier.advance(stable: scalars("Hallo world, how are"), offset: 0, final: false).isEmpty)
        #expect(frontier.partial(hypothesis: scalars("Hello world, how are you"), offset: 0) == "how are you")
        #expect(frontier.advance(stable: scalars("Hello world, how are"), offset: 0, final: false) == ["how"])
        // The dropped head of the text is not compared.
        #expect(frontier.advance(stable: scalars("world, how are you"), offset: 6, final: true) == ["are", "you"])
        // Chinese: each character is a word, punctuation stays with the one before it.
        #expect(StableFrontier.words(scalars("今天天气很好。我们")) == ["今", "天", "天", "气", "很", "好。", "我", "们"])
    }
}
