import Foundation
import ScribaTensor

// Prompt layout, greedy decoding and the end of a transcription call
// (`inference/qwen3_asr.py:_build_text_prompt`, `_infer_asr_transformers`; `generate` defaults).

/// One recognition call's result.
public struct Qwen3ASRTranscription: Sendable, Equatable {
    /// Canonical English name ("English"); the forced one, the detected one, or "" (none / silence).
    public var language: String
    public var text: String
    /// The decoded model output before parsing (special tokens skipped).
    public var rawText: String
    /// Generated ids, without the stop token.
    public var tokenIDs: [Int]
    /// Decoding stopped at the max-new-tokens bound instead of an end token.
    public var reachedTokenLimit: Bool
    /// The first greedy pass looped (n-gram repeats or compression ratio) and was re-decoded.
    public var loopDetected = false
    /// The kept output still loops after the retry; its looping tail was cut off.
    public var looped = false
}

/// What one guarded greedy pass produced.
public struct Qwen3GreedyOutput: Sendable, Equatable {
    public var ids: [Int]
    /// A stop token ended decoding.
    public var stopped: Bool
    /// The repetition guard stopped decoding; `ids` end before the loop.
    public var looped: Bool
}

extension Qwen3ASR {
    /// The new-token bound per call: speech rarely exceeds ~5 tokens per second in any supported
    /// language, so 8 per second of audio plus room for the "language X<asr_text>" header never
    /// cuts real output, yet stops a repetition loop early (the reference's fixed 512 would cut a
    /// long clip and let a short one loop for 512 steps).
    public static let maxNewTokensPerSecond = 8.0
    public static let maxNewTokensMargin = 32

    /// Bound for a clip of `frames` mel frames (100 per second).
    public static func defaultMaxNewTokens(frames: Int) -> Int {
        Int((Double(frames) / 100 * maxNewTokensPerSecond).rounded(.up)) + maxNewTokensMargin
    }

    /// `utils:normalize_language_name` (first letter upper, rest lower), checked against the
    /// checkpoint's `support_languages`.
    public func canonicalLanguageName(_ language: String) throws -> String {
        let trimmed = language.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = trimmed.prefix(1).uppercased() + trimmed.dropFirst().lowercased()
        guard !trimmed.isEmpty, config.supportLanguages.isEmpty || config.supportLanguages.contains(name) else {
            throw Qwen3ASRError.unsupportedLanguage(language, supported: config.supportLanguages)
        }
        return name
    }

    /// The chat prompt with `audioTokens` audio placeholders:
    /// `<|im_start|>system\n{context}<|im_end|>\n<|im_start|>user\n<|audio_start|><|audio_pad|>×N<|audio_end|><|im_end|>\n<|im_start|>assistant\n`
    /// plus `language {Name}<asr_text>` when the language is forced. Tokenized as one string, as the
    /// processor does (so context text at the "system\n" boundary splits exactly as there).
    /// `assistantPrefix`: text the assistant turn already holds (streaming's rolled-back previous output).
    public func promptIDs(audioTokens: Int, language: String? = nil, context: String? = nil, assistantPrefix: String = "") throws -> [Int] {
        var text = "<|im_start|>system\n" + (context ?? "") + "<|im_end|>\n<|im_start|>user\n"
            + "<|audio_start|><|audio_pad|><|audio_end|><|im_end|>\n<|im_start|>assistant\n"
        if let language {
            text += "language \(try canonicalLanguageName(language))<asr_text>"
        }
        text += assistantPrefix
        let ids = tokenizer.encode(text)
        // The processor expands the single placeholder to the encoder's token count.
        var expanded: [Int] = []
        expanded.reserveCapacity(ids.count + audioTokens)
        for id in ids {
            if id == specialTokens.audioPad {
                expanded.append(contentsOf: repeatElement(id, count: audioTokens))
            } else {
                expanded.append(id)
            }
        }
        return expanded
    }

    /// Head output at the last prompt position (the first decode step's logits).
    public func firstLogits(promptIDs: [Int], audio: Tensor) throws -> [Float] {
        try prefill(promptIDs, audio: audio, extraPositions: 0)
        return Array(UnsafeBufferPointer(start: scratch.logits.pointer, count: headRows))
    }

    /// The head output at every step of a given continuation (teacher forcing): row k is what the
    /// model predicts after the prompt and `continuation[..<k]`, through the same prefill and
    /// decode-step code greedy decoding runs. [continuation.count][headRows].
    public func stepLogits(promptIDs: [Int], audio: Tensor, continuation: [Int]) throws -> [[Float]] {
        guard !continuation.isEmpty else { return [] }
        try prefill(promptIDs, audio: audio, extraPositions: continuation.count)
        var rows: [[Float]] = []
        rows.reserveCapacity(continuation.count)
        for (step, token) in continuation.enumerated() {
            rows.append(Array(UnsafeBufferPointer(start: scratch.logits.pointer, count: headRows)))
            if step + 1 < continuation.count { try decodeStep(token) }
        }
        return rows
    }

    /// Greedy decoding: arg-max each step, up to `maxNewTokens` ids, stopping before any of
    /// `stopTokens` (not included). nil → `<|im_end|>` / `<|endoftext|>` as the reference's
    /// generate(); [] → always run to the bound. Returns the ids and whether a stop token ended them.
    public func greedyDecode(
        promptIDs: [Int], audio: Tensor, maxNewTokens: Int, stopTokens: [Int]? = nil
    ) throws -> (ids: [Int], stopped: Bool) {
        let output = try greedyDecode(promptIDs: promptIDs, audio: audio, maxNewTokens: maxNewTokens,
                                      stopTokens: stopTokens, repetitionGuard: .disabled)
        return (output.ids, output.stopped)
    }

    /// `greedyDecode` (no guard) that also reports the wall time of the prefill (up to the first
    /// arg-max) and of the decode steps after it, in seconds (for benchmarks).
    public func timedGreedyDecode(
        promptIDs: [Int], audio: Tensor, maxNewTokens: Int, stopTokens: [Int]? = nil
    ) throws -> (ids: [Int], stopped: Bool, prefillSeconds: Double, stepSeconds: Double) {
        var timing = (prefill: 0.0, steps: 0.0)
        let output = try greedyDecode(promptIDs: promptIDs, audio: audio, maxNewTokens: maxNewTokens,
                                      stopTokens: stopTokens, repetitionGuard: .disabled, timing: &timing)
        return (output.ids, output.stopped, timing.prefill, timing.steps)
    }

    /// Greedy decoding with the repetition guard watching (stops at a loop, cutting it off) and,
    /// for a retry, a no-repeat-n-gram constraint on the arg-max.
    public func greedyDecode(
        promptIDs: [Int], audio: Tensor, maxNewTokens: Int, stopTokens: [Int]? = nil,
        repetitionGuard: RepetitionGuardOptions, noRepeatNgramSize: Int? = nil
    ) throws -> Qwen3GreedyOutput {
        var timing = (prefill: 0.0, steps: 0.0)
        return try greedyDecode(promptIDs: promptIDs, audio: audio, maxNewTokens: maxNewTokens, stopTokens: stopTokens,
                                repetitionGuard: repetitionGuard, noRepeatNgramSize: noRepeatNgramSize, timing: &timing)
    }

    /// `reusingCache`: keep the KV rows of the longest prompt start (ids and audio rows) equal to the
    /// previous reusing call's, and prefill only the rest (live streaming).
    func greedyDecode(
        promptIDs: [Int], audio: Tensor, maxNewTokens: Int, stopTokens: [Int]?,
        repetitionGuard: RepetitionGuardOptions, noRepeatNgramSize: Int? = nil, reusingCache: Bool = false,
        timing: inout (prefill: Double, steps: Double)
    ) throws -> Qwen3GreedyOutput {
        guard maxNewTokens > 0 else { return Qwen3GreedyOutput(ids: [], stopped: false, looped: false) }
        let clock = ContinuousClock()
        let start = clock.now
        try prefill(promptIDs, audio: audio, extraPositions: maxNewTokens, reusingCache: reusingCache)
        let prefilled = clock.now
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        let stops = stopTokens ?? specialTokens.stopTokens
        // Stop tokens stay allowed by the no-repeat ban: banning them would force a loop to go on.
        let loop = TokenLoop(logits: UnsafeMutableBufferPointer(start: scratch.logits.pointer, count: headRows),
                             maxLength: maxNewTokens, isStop: { stops.contains($0) }, repetitionGuard: repetitionGuard,
                             noRepeatNgramSize: noRepeatNgramSize, bannable: { !stops.contains($0) })
        let output = try loop.run { try decodeStep($0) }
        timing = (seconds(prefilled - start), seconds(clock.now - prefilled))
        return Qwen3GreedyOutput(ids: output.ids, stopped: output.stopped, looped: output.looped)
    }

    /// Whether decoded text is repetitive by Whisper's measure (zlib ratio above the threshold).
    static func isRepetitive(_ text: String, options: RepetitionGuardOptions) -> Bool {
        guard options.enabled, let ratio = TextCompression.ratio(text) else { return false }
        return ratio > options.compressionRatioThreshold
    }

    /// Recognises one clip: features [mel bins, frames] → (language, text), as
    /// `Qwen3ASRModel.transcribe` does for a clip it does not split.
    /// - Parameters:
    ///   - language: a language name to force ("English", any case), or nil to detect.
    ///   - context: text for the system turn (names, terms).
    ///   - maxNewTokens: nil → `defaultMaxNewTokens(frames:)`.
    ///   - repetitionGuard: a loop (or repetitive text at the end) → one re-decode with a
    ///     no-repeat-n-gram constraint; `looped` in the result when that loops too. Off by default
    ///     (the reference's behaviour); Scriba's recogniser turns it on.
    public func transcribe(
        mel: Tensor, language: String? = nil, context: String? = nil, maxNewTokens: Int? = nil,
        repetitionGuard: RepetitionGuardOptions = .disabled
    ) throws -> Qwen3ASRTranscription {
        if config.isForcedAligner {
            throw Qwen3ASRError.wrongModelKind(folder: folder, expected: "Qwen3-ASR model", found: "Qwen3-ForcedAligner")
        }
        let forced = try language.map { try canonicalLanguageName($0) }
        let audio = try encodeAudio(mel: mel)
        let prompt = try promptIDs(audioTokens: audio.shape[0], language: forced, context: context)
        let limit = maxNewTokens ?? Self.defaultMaxNewTokens(frames: mel.shape[1])
        var output = try greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: limit, repetitionGuard: repetitionGuard)
        var raw = tokenizer.decode(output.ids, skipSpecial: true)
        let loopDetected = output.looped || Self.isRepetitive(raw, options: repetitionGuard)
        if loopDetected {
            output = try greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: limit, repetitionGuard: repetitionGuard,
                                      noRepeatNgramSize: repetitionGuard.retryNoRepeatNgramSize)
            raw = tokenizer.decode(output.ids, skipSpecial: true)
        }
        let parsed = Qwen3ASROutput.parse(raw, forcedLanguage: forced)
        var result = Qwen3ASRTranscription(language: parsed.language, text: parsed.text, rawText: raw, tokenIDs: output.ids,
                                           reachedTokenLimit: !output.stopped && !output.looped && output.ids.count == limit)
        result.loopDetected = loopDetected
        result.looped = loopDetected && (output.looped || Self.isRepetitive(raw, options: repetitionGuard))
        return result
    }
}
