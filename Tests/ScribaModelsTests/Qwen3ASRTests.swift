import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

// Parity with the official qwen-asr 0.0.6 code on the tiny fixtures (Tests/Fixtures/README.md):
// encoder rows, first-step logits, 32 greedy ids, prompts and output parsing, for f32 and bf16
// weights and the sharded copy. long_40s's encoder is checked in ScribaPipelineTests (its full
// features are not stored; they come from LogMel there).

struct Qwen3ASRTests {
    static let clips = ["speech_en", "silence", "short_0p5"]
    static let variants = ["f32", "bf16"]

    @Test func tinyConfigDecodes() throws {
        let config = try Qwen3ASRConfig.load(folder: Qwen3Fixtures.url("asr-tiny-f32"))
        #expect(config.audio.dModel == 64 && config.audio.encoderLayers == 2 && config.audio.encoderAttentionHeads == 2)
        #expect(config.audio.nWindow == 50 && config.audio.nWindowInfer == 800 && config.audio.convolvedMelBins == 16)
        #expect(config.text.numAttentionHeads == 4 && config.text.numKeyValueHeads == 2 && config.text.headDim == 16)
        #expect(config.text.ropeTheta == 1_000_000 && config.text.tieWordEmbeddings)
        #expect(!config.isForcedAligner && config.headRows == 2048)
        #expect(config.supportLanguages.count == 30 && config.supportLanguages.contains("Macedonian"))
        let aligner = try Qwen3ASRConfig.load(folder: Qwen3Fixtures.url("aligner-tiny-bf16"))
        #expect(aligner.isForcedAligner && aligner.headRows == 500)
        #expect(aligner.timestampTokenID == 2030 && aligner.timestampSegmentTime == 80)
    }

    /// `_get_feat_extract_output_lengths`: 13 per full 100-frame chunk + ceil-halving the tail thrice.
    @Test func audioTokenCounts() throws {
        let config = try Qwen3ASRConfig.load(folder: Qwen3Fixtures.url("asr-tiny-f32"))
        // 50 → 25 → 13 → 7; 3×13; 3×13 + (20 → 10 → 5 → 3); 13 + 7; 40×13; a full chunk has no tail term.
        let expected = [50: 7, 300: 39, 320: 42, 150: 20, 4000: 520, 100: 13, 1: 1, 0: 0]
        for (frames, tokens) in expected {
            #expect(config.audioTokenCount(frames: frames) == tokens, "frames \(frames)")
        }
        for name in Self.clips + ["long_40s"] {
            let clip = Qwen3Fixtures.clip(name)
            #expect(config.audioTokenCount(frames: clip["n_frames"] as? Int ?? -1) == clip["n_audio_tokens"] as? Int)
        }
    }

    @Test(arguments: clips, variants)
    func encoderMatchesReference(clip: String, variant: String) throws {
        let model = try Qwen3Fixtures.model(variant)
        let output = try model.encodeAudio(mel: try Qwen3Fixtures.features(clip))
        let reference = try Qwen3Fixtures.floats("ref/\(clip).\(variant).encoder.f32")
        #expect(output.shape == [Qwen3Fixtures.clip(clip)["n_audio_tokens"] as? Int ?? -1, 64])
        let error = Qwen3Fixtures.relativeError(output.data, reference)
        #expect(error <= 1e-3, "max relative error \(error)")
    }

    @Test(arguments: clips, variants)
    func promptIDsMatchReference(clip: String, variant: String) throws {
        let model = try Qwen3Fixtures.model(variant)
        let tokens = Qwen3Fixtures.clip(clip)["n_audio_tokens"] as? Int ?? -1
        let forced = try model.promptIDs(audioTokens: tokens, language: "english")
        let auto = try model.promptIDs(audioTokens: tokens)
        #expect(forced == Qwen3Fixtures.ints(Qwen3Fixtures.mode(clip, variant, "forced")["prompt_ids"]))
        #expect(auto == Qwen3Fixtures.ints(Qwen3Fixtures.mode(clip, variant, "auto")["prompt_ids"]))
    }

    /// Context text goes into the system turn, tokenized together with "system\n" as the processor
    /// does; everything after <|im_end|> is the plain prompt.
    @Test func contextSitsInTheSystemTurn() throws {
        let model = try Qwen3Fixtures.model("f32")
        let plain = try model.promptIDs(audioTokens: 7, language: "English")
        let withContext = try model.promptIDs(audioTokens: 7, language: "English", context: "Scriba, Qwen")
        let end = try #require(withContext.firstIndex(of: 2002))
        #expect(withContext[0] == 2001 && Array(withContext[end...]) == Array(plain[plain.firstIndex(of: 2002)!...]))
        #expect(model.tokenizer.decode(Array(withContext[1..<end])) == "system\nScriba, Qwen")
        #expect(try model.promptIDs(audioTokens: 7, context: "") == model.promptIDs(audioTokens: 7))
    }

    @Test(arguments: clips, variants)
    func firstLogitsMatchReference(clip: String, variant: String) throws {
        let model = try Qwen3Fixtures.model(variant)
        let audio = try model.encodeAudio(mel: try Qwen3Fixtures.features(clip))
        for mode in ["forced", "auto"] {
            let entry = Qwen3Fixtures.mode(clip, variant, mode)
            let logits = try model.firstLogits(promptIDs: Qwen3Fixtures.ints(entry["prompt_ids"]), audio: audio)
            let reference = try Qwen3Fixtures.floats(entry["first_logits_file"] as? String ?? "")
            #expect(logits.count == 2048 && reference.count == 2048)
            let maxAbs = (entry["first_logits_max_abs"] as? NSNumber)?.floatValue ?? 0
            #expect(maxAbs > 100)
            let error = Qwen3Fixtures.relativeError(logits, reference)
            #expect(error <= 1e-3, "\(mode): max|Δ| / max|logit| = \(error)")
        }
    }

    @Test(arguments: clips, variants)
    func greedyIDsMatchReference(clip: String, variant: String) throws {
        let model = try Qwen3Fixtures.model(variant)
        let audio = try model.encodeAudio(mel: try Qwen3Fixtures.features(clip))
        for mode in ["forced", "auto"] {
            let entry = Qwen3Fixtures.mode(clip, variant, mode)
            let expected = Qwen3Fixtures.ints(entry["greedy_ids"])
            #expect(expected.count == 32)
            let (ids, stopped) = try model.greedyDecode(promptIDs: Qwen3Fixtures.ints(entry["prompt_ids"]), audio: audio,
                                                        maxNewTokens: 32, stopTokens: [])
            #expect(ids == expected, "\(clip) \(variant) \(mode)")
            #expect(!stopped)
            // What official generate() produced before its stop tokens is a prefix of these.
            let official = Qwen3Fixtures.ints(entry["official_generate_ids"])
            #expect(Array(ids.prefix(official.count)) == official.filter { $0 != 2000 && $0 != 2002 })
        }
    }

    /// The whole call (encoder → prompt → greedy → decode → parse) on reference features, bounded
    /// at 32 new tokens, gives the reference's decoded string and parse.
    @Test(arguments: clips, variants)
    func transcribeMatchesReferenceParse(clip: String, variant: String) throws {
        let model = try Qwen3Fixtures.model(variant)
        let mel = try Qwen3Fixtures.features(clip)
        for (mode, language) in [("forced", "English" as String?), ("auto", nil)] {
            let entry = Qwen3Fixtures.mode(clip, variant, mode)
            let result = try model.transcribe(mel: mel, language: language, maxNewTokens: 32)
            let parsed = entry["parsed"] as? [String: Any] ?? [:]
            let raw = entry["decoded_raw"] as? String, language = parsed["language"] as? String, text = parsed["text"] as? String
            #expect(result.rawText == raw)
            #expect(result.language == language)
            #expect(result.text == text, "\(clip) \(variant) \(mode)")
            #expect(result.tokenIDs.count == 32 && result.reachedTokenLimit)
        }
    }

    /// The 3-shard bf16 copy loads to the same weights: the same encoder output and greedy ids.
    /// "The same" to 1e-5, not bit for bit: OpenBLAS sgemm rounds differently on 1 and 2 threads,
    /// and while tests run in parallel another test's `ParallelAttention` holds OpenBLAS (process
    /// wide) at one thread. A shard mapped to the wrong tensor would be off by far more.
    @Test func shardedCheckpointEqualsSingleFile() throws {
        let single = try Qwen3Fixtures.model("bf16")
        let sharded = try Qwen3Fixtures.model("sharded")
        let mel = try Qwen3Fixtures.features("speech_en")
        let a = try single.encodeAudio(mel: mel), b = try sharded.encodeAudio(mel: mel)
        #expect(a.shape == b.shape)
        let worst = zip(a.data, b.data).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst < 1e-5, "largest relative difference \(worst)")
        let entry = Qwen3Fixtures.mode("speech_en", "bf16", "forced")
        let (ids, _) = try sharded.greedyDecode(promptIDs: Qwen3Fixtures.ints(entry["prompt_ids"]), audio: b,
                                                maxNewTokens: 32, stopTokens: [])
        #expect(ids == Qwen3Fixtures.ints(entry["greedy_ids"]))
    }

    @Test func specialTokensComeFromTheTokenizer() throws {
        let model = try Qwen3Fixtures.model("f32")
        let t = model.specialTokens
        let ids: [Int] = [t.imStart, t.imEnd, t.endOfText, t.audioStart, t.audioEnd, t.audioPad]
        #expect(ids == [2001, 2002, 2000, 2026, 2027, 2028])
        #expect(t.asrText == 2029 && t.stopTokens == [2002, 2000])
    }

    @Test func maxNewTokensScalesWithDuration() {
        // 8 tokens per second + 32: 3.2 s → 26 + 32; 40 s → 320 + 32; 20 min → 9600 + 32.
        #expect(Qwen3ASR.defaultMaxNewTokens(frames: 320) == 58)
        #expect(Qwen3ASR.defaultMaxNewTokens(frames: 4000) == 352)
        #expect(Qwen3ASR.defaultMaxNewTokens(frames: 120_000) == 9632)
        #expect(Qwen3ASR.defaultMaxNewTokens(frames: 0) == 32)
    }

    /// The stop rule on real sequences: the tiny model never emits <|im_end|>, so reference ids stand
    /// in as stop tokens. speech_en f32 forced is 950 ×9, 1693, 193 …: stopping at 1693 keeps the
    /// nine 950s; stopping at 950 keeps nothing. With the real end tokens all 32 run (none occurs).
    @Test func decodingStopsBeforeAStopToken() throws {
        let model = try Qwen3Fixtures.model("f32")
        let audio = try model.encodeAudio(mel: try Qwen3Fixtures.features("speech_en"))
        let entry = Qwen3Fixtures.mode("speech_en", "f32", "forced")
        let prompt = Qwen3Fixtures.ints(entry["prompt_ids"])
        let expected = Qwen3Fixtures.ints(entry["greedy_ids"])
        let atLication = try model.greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: 32, stopTokens: [1693])
        #expect(atLication.ids == Array(expected.prefix(9)) && atLication.stopped)
        let atFirst = try model.greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: 32, stopTokens: [950])
        #expect(atFirst.ids.isEmpty && atFirst.stopped)
        let real = try model.greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: 32)
        #expect(real.ids == expected && !real.stopped)
        let bounded = try model.greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: 5)
        #expect(bounded.ids == Array(expected.prefix(5)) && !bounded.stopped)
    }

    @Test func languageNamesAreCheckedAgainstTheCheckpoint() throws {
        let model = try Qwen3Fixtures.model("f32")
        #expect(try model.canonicalLanguageName("  cHINese ") == "Chinese")
        #expect(throws: Qwen3ASRError.unsupportedLanguage("Klingon", supported: model.config.supportLanguages)) {
            try model.canonicalLanguageName("Klingon")
        }
    }

    @Test func wrongMelShapeIsATypedError() throws {
        let model = try Qwen3Fixtures.model("f32")
        #expect(throws: Qwen3ASRError.melShape(expected: 128, found: [80, 10])) {
            try model.encodeAudio(mel: Tensor(zeros: [80, 10]))
        }
        #expect(try model.encodeAudio(mel: Tensor(zeros: [128, 0])).shape == [0, 64])
    }
}
