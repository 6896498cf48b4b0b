import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTensor
@testable import ScribaPipeline

// A real decoder whose greedy path repeats: the tiny random Qwen3-ASR checkpoint (Tests/Fixtures/qwen3)
// answers speech with one token over and over (the reference's own greedy ids: 950 × 9, then 193 …).

struct Qwen3LoopGuardTests {
    @Test func theGuardStopsTheTinyCheckpointsLoopWithinTheWindow() async throws {
        let folder = Qwen3PipelineFixtures.url("asr-tiny-f32")
        let model = try Qwen3ASR(folder: folder)
        let audio = try Qwen3PipelineFixtures.audio("speech_en")
        let mel = LogMel(melBins: 128).compute(Qwen3Recognizer.normalizedSamples(audio, sampleRate: 16_000))
        let encoded = try model.encodeAudio(mel: mel)
        let prompt = try model.promptIDs(audioTokens: encoded.shape[0], language: "English")

        // Unguarded, the loop runs to the bound.
        let unguarded = try model.greedyDecode(promptIDs: prompt, audio: encoded, maxNewTokens: 200, stopTokens: [],
                                               repetitionGuard: .disabled)
        #expect(unguarded.ids.count == 200 && !unguarded.looped)
        // Guarded: stopped as soon as one 4-gram has occurred 5 times, cut back to one copy.
        let options = RepetitionGuardOptions()
        let guarded = try model.greedyDecode(promptIDs: prompt, audio: encoded, maxNewTokens: 200, stopTokens: [],
                                             repetitionGuard: options)
        #expect(guarded.looped)
        #expect(guarded.ids.count < options.window)
        #expect(Array(unguarded.ids.prefix(guarded.ids.count)) == guarded.ids, "the kept part is the greedy path itself")

        // Through the recogniser: the loop is detected, the chunk re-decoded with no repeated
        // 3-gram, and the result is either clean or flagged — never a silent 200-token loop.
        let recognizer = try Qwen3Recognizer(folder: folder, maxNewTokens: 200)
        let recognition = try await recognizer.transcribe(audio, options: RecognitionOptions(language: Language.named("English")))
        let result = try model.transcribe(mel: mel, language: "English", maxNewTokens: 200, repetitionGuard: options)
        print("tiny Qwen3 loop: first pass \(guarded.ids.count) ids, retry \(result.tokenIDs.count) ids, looped \(result.looped), status \(recognition.status), text \(result.rawText.debugDescription)")
        #expect(result.loopDetected)
        #expect(recognition.status != .ok || recognition.recoveredLoop)
        if !result.looped {
            // Recovered: no 3-gram repeats in what was kept.
            var seen = Set<[Int]>()
            for i in 0..<max(0, result.tokenIDs.count - 2) {
                #expect(seen.insert(Array(result.tokenIDs[i..<(i + 3)])).inserted)
            }
        }
    }
}
