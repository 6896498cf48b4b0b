import ScribaModels
import ScribaTensor

/// What one streaming step asks of the Qwen3 model (see `Qwen3StreamingSession`).
public struct Qwen3StreamingRequest: Sendable {
    /// 16 kHz audio the model hears this step.
    public var samples: [Float]
    /// Encoder rows of the first complete attention windows of `samples`, kept from earlier steps
    /// (live mode); their audio is not encoded again.
    public var cachedRows: [Float] = []
    public var cachedWindows = 0
    /// Return the encoder rows of windows that became complete, for the caller to cache.
    public var returnsCompleteWindows = false
    public var language: String?
    public var context: String?
    /// The previous raw output (or its end, live), the prefix is cut from (`Qwen3StreamingPrefix`).
    public var previous: String
    public var chunkID: Int
    public var finishing: Bool
    public var unfixedChunks: Int
    public var unfixedTokens: Int
    /// Live mode: the prompt carries at most this many prefix tokens.
    public var maxPrefixTokens: Int?
    public var maxNewTokens = Qwen3ASR.streamingMaxNewTokens
    /// Keep the KV rows of an unchanged prompt start (live mode).
    public var reusingCache = false
}

/// One streaming step's result.
public struct Qwen3StreamingStepResult: Sendable {
    public var decode: Qwen3StreamingDecode
    /// The part of `previous` the prompt kept (the new raw output is `kept + decode.text`).
    public var kept: String
    /// What of the new raw output the next step would keep: all but its last `unfixedTokens` tokens.
    public var stable: String
    /// Encoder rows of every complete window of the request's samples (cached ones included),
    /// when asked for; `completeWindows` of them.
    public var completeWindowRows: [Float]
    public var completeWindows: Int
    /// Wall seconds of the log-mel and the encoder (benchmarks).
    public var featureSeconds = 0.0
    public var encoderSeconds = 0.0
}

extension Qwen3Recognizer {
    /// Samples per encoder attention window (n_window_infer mel frames: 8 s in the released models).
    public var windowSamples: Int { model.config.audio.nWindowInfer * logMel.hopLength }

    /// Log-mel of the request's audio, the encoder on the windows not cached (each window attends
    /// only to itself, so cached rows stay valid), and one streaming decode.
    public func streamingStep(_ request: Qwen3StreamingRequest) throws -> Qwen3StreamingStepResult {
        let clock = ContinuousClock(), started = clock.now
        let mel = logMel.compute(request.samples)
        let bins = mel.shape[0], frames = mel.shape[1]
        let windowFrames = model.config.audio.nWindowInfer
        let width = model.config.text.hiddenSize
        let rowsPerWindow = model.config.audioTokenCount(frames: windowFrames)
        let cached = min(request.cachedWindows, frames / windowFrames, request.cachedRows.count / max(1, rowsPerWindow * width))
        let firstFrame = cached * windowFrames
        var tail = [Float](repeating: 0, count: bins * (frames - firstFrame))
        for b in 0..<bins {
            for f in firstFrame..<frames { tail[b * (frames - firstFrame) + f - firstFrame] = mel.data[b * frames + f] }
        }
        let featured = clock.now
        let encoded = try model.encodeAudio(mel: Tensor(shape: [bins, frames - firstFrame], data: tail), padsPartialChunk: cached > 0)
        let encodedAt = clock.now
        let cachedData = Array(request.cachedRows.prefix(cached * rowsPerWindow * width))
        let audio = Tensor(shape: [cached * rowsPerWindow + encoded.shape[0], width], data: cachedData + encoded.data)
        let prefix = Qwen3StreamingPrefix.make(raw: request.previous, chunkID: request.chunkID, unfixedChunks: request.unfixedChunks,
                                               unfixedTokens: request.unfixedTokens, finishing: request.finishing,
                                               tokenizer: model.tokenizer, maxTokens: request.maxPrefixTokens)
        let decode = try model.streamingDecode(audio: audio, language: request.language, context: request.context,
                                               prefix: prefix.prompt, maxNewTokens: request.maxNewTokens,
                                               reusingCache: request.reusingCache)
        let stable = Qwen3StreamingPrefix.make(raw: prefix.kept + decode.text, chunkID: request.unfixedChunks,
                                               unfixedChunks: request.unfixedChunks, unfixedTokens: request.unfixedTokens,
                                               finishing: false, tokenizer: model.tokenizer).kept
        // A window is complete once a frame past it exists: its last frame no longer sees the end padding.
        let complete = request.returnsCompleteWindows ? max(cached, (frames - 1) / windowFrames) : 0
        let rows = complete > 0 ? Array(audio.data.prefix(complete * rowsPerWindow * width)) : []
        var result = Qwen3StreamingStepResult(decode: decode, kept: prefix.kept, stable: stable, completeWindowRows: rows,
                                              completeWindows: complete)
        result.featureSeconds = (featured - started) / .seconds(1)
        result.encoderSeconds = (encodedAt - featured) / .seconds(1)
        return result
    }
}
