import ScribaTensor

// The model side of Qwen3-ASR streaming, as qwen-asr 0.0.6 does it (`inference/qwen3_asr.py`:
// `streaming_transcribe`, `finish_streaming_transcribe`): every chunk the whole audio so far is
// decoded again, with the assistant turn already holding the previous output minus its last few
// tokens (the "prefix"), so the model only rewrites the unstable end. The session (which audio, when,
// what is committed) lives in ScribaPipeline's Qwen3StreamingSession.

/// The prefix rule of `streaming_transcribe` / `finish_streaming_transcribe`.
public enum Qwen3StreamingPrefix {
    /// The rolled-back previous output for chunk `chunkID`: nothing for the first `unfixedChunks`
    /// chunks; then `raw` re-tokenised minus its last `unfixedTokens` tokens, backing off one token
    /// at a time while the text decodes to U+FFFD (a character cut in half). `finishing` is
    /// `finish_streaming_transcribe`'s variant: at least one token kept, no back-off.
    /// `maxTokens` (live mode, not the reference): the returned `prompt` is only the last
    /// `maxTokens` of the kept tokens (`kept` is always all of them).
    public static func make(raw: String, chunkID: Int, unfixedChunks: Int, unfixedTokens: Int, finishing: Bool,
                            tokenizer: BPETokenizer, maxTokens: Int? = nil) -> (kept: String, prompt: String) {
        guard chunkID >= unfixedChunks else { return ("", "") }
        let ids = tokenizer.encode(raw)
        var end: Int
        if finishing {
            end = min(ids.count, max(1, ids.count - unfixedTokens))
        } else {
            var k = unfixedTokens
            while true {
                end = max(0, ids.count - k)
                if end == 0 || !tokenizer.decode(Array(ids[..<end])).unicodeScalars.contains(replacement) { break }
                k += 1
            }
        }
        let kept = tokenizer.decode(Array(ids[..<end]))
        guard let maxTokens, end > maxTokens else { return (kept, kept) }
        // A cut inside a character would put U+FFFD at the prompt's start: move past it.
        var start = end - maxTokens
        while start < end, tokenizer.decode(Array(ids[start..<end])).unicodeScalars.first == replacement { start += 1 }
        return (kept, tokenizer.decode(Array(ids[start..<end])))
    }

    static let replacement: Unicode.Scalar = "\u{FFFD}"
}

/// One streaming decode: the prompt it ran and what greedy decoding added.
public struct Qwen3StreamingDecode: Sendable, Equatable {
    public var promptIDs: [Int]
    /// Generated ids without the stop token.
    public var ids: [Int]
    public var stopped: Bool
    /// `ids` decoded with special tokens skipped (what vLLM returns as the output text).
    public var text: String
    /// Wall seconds of the prefill and of the decode steps, and the prompt positions whose KV rows
    /// were kept (benchmarks; not compared).
    public var prefillSeconds = 0.0
    public var stepSeconds = 0.0
    public var reusedPositions = 0

    public static func == (a: Self, b: Self) -> Bool {
        a.promptIDs == b.promptIDs && a.ids == b.ids && a.stopped == b.stopped && a.text == b.text
    }
}

extension Qwen3ASR {
    /// The reference's per-step cap (its streaming demo loads the model with max_new_tokens 32).
    public static let streamingMaxNewTokens = 32

    /// Decodes encoded `audio` [tokens × hidden] with `prefix` already in the assistant turn:
    /// `_build_text_prompt(context, language) + prefix`, tokenised as one string, greedy up to
    /// `maxNewTokens`. `reusingCache`: keep the KV rows of the prompt start that equals the previous
    /// reusing call's (live mode, where cached encoder windows leave the prompt's start unchanged).
    public func streamingDecode(audio: Tensor, language: String?, context: String?, prefix: String,
                                maxNewTokens: Int = streamingMaxNewTokens, reusingCache: Bool = false) throws -> Qwen3StreamingDecode {
        if config.isForcedAligner {
            throw Qwen3ASRError.wrongModelKind(folder: folder, expected: "Qwen3-ASR model", found: "Qwen3-ForcedAligner")
        }
        let forced = try language.map { try canonicalLanguageName($0) }
        let prompt = try promptIDs(audioTokens: audio.shape[0], language: forced, context: context, assistantPrefix: prefix)
        var timing = (prefill: 0.0, steps: 0.0)
        let output = try greedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: maxNewTokens, stopTokens: nil,
                                      repetitionGuard: .disabled, reusingCache: reusingCache, timing: &timing)
        var decode = Qwen3StreamingDecode(promptIDs: prompt, ids: output.ids, stopped: output.stopped,
                                          text: tokenizer.decode(output.ids, skipSpecial: true))
        (decode.prefillSeconds, decode.stepSeconds, decode.reusedPositions) = (timing.prefill, timing.steps, lastReusedPositions)
        return decode
    }
}
