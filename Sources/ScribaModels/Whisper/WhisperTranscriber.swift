// Whisper decoding as faster-whisper 1.2.1 `WhisperModel.transcribe` runs it on CTranslate2 4.8.5 with
// beam_size 1: language detection on the first 30 s, 30 s windows seeked by the last timestamp
// (`generate_segments`, `_split_segments_by_timestamps`), prompts with the previous text
// (`get_prompt`), CT2's greedy loop (`WhisperReplica::generate`: prompt prefill, no_speech_prob at the
// <|startoftranscript|> position, max_length = min(448/2, 448 − prompt)), the no-speech skip, and
// temperature fallback (`generate_with_fallback`), initial_prompt. Scriba's additions (off the
// faster-whisper path only when they fire): a per-window token budget from the window's duration and
// the repetition guard (loop → stop, re-decode greedily with a no-repeat-n-gram constraint, then the
// temperature ladder), and, asked for by live sessions only, a ban on the bare-space token. Left out: beam search, VAD, clip_timestamps, prefix/hotwords,
// hallucination_silence_threshold, translation.

import Foundation
import ScribaTensor

/// Decoding options; defaults are faster-whisper 1.2.1's `transcribe` defaults with beam_size 1.
public struct WhisperOptions: Sendable {
    /// Language code ("en"); nil detects it from the first 30 s.
    public var language: String?
    public var withoutTimestamps = false
    public var wordTimestamps = false
    public var conditionOnPreviousText = true
    public var temperatures: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    /// Fallback when the text's zlib compression ratio exceeds this (too repetitive).
    public var compressionRatioThreshold: Double? = 2.4
    /// Fallback when avg_logprob is below this.
    public var logProbThreshold: Double? = -1
    /// A window is skipped as silence when no_speech_prob exceeds this and avg_logprob is below the threshold.
    public var noSpeechThreshold: Double? = 0.6
    /// After a fallback to a temperature above this the previous-text prompt is dropped.
    public var promptResetOnTemperature: Float = 0.5
    /// Latest first timestamp, seconds.
    public var maxInitialTimestamp = 1.0
    public var suppressBlank = true
    /// Ban the bare-space token (" " on its own) at every step, not only the first. In BPE it is a
    /// token of its own only before a character with no merged-space form (Chinese, Japanese), so a
    /// language written with spaces never needs it; after a prompt, Whisper base emits it followed
    /// by a fragment for nothing ("been made nd still"). Off by default, as faster-whisper.
    public var suppressBareSpace = false
    /// Sampled candidates per temperature > 0 (the highest-scoring one is kept).
    public var bestOf = 5
    /// Seed of the sampler used at temperatures > 0 (decoding at temperature 0 never samples).
    public var seed: UInt64 = 0
    public var prependPunctuations = "\"'“¿([{-"
    /// Text put before the first window as if it had been said earlier (names, spellings):
    /// `<|startofprev|>` + its tokens, as faster-whisper's `initial_prompt`.
    public var initialPrompt: String?
    /// Loop detection during decoding and the no-repeat retry. Off here so the defaults decode
    /// exactly as faster-whisper; Scriba's recogniser turns it on.
    public var repetitionGuard = RepetitionGuardOptions.disabled
    /// Per-window token bound: this many tokens per second of the window plus `tokenBudgetMargin`
    /// (never above Whisper's own 224). nil (default, as faster-whisper): Whisper's bound only.
    public var maxTokensPerSecond: Double?
    public var tokenBudgetMargin = 32
    /// The budget Scriba's recogniser uses: speech rarely exceeds ~5 tokens per second with
    /// timestamps, so 8 never cuts real speech yet ends a loop early in a short window.
    public static let budgetTokensPerSecond = 8.0
    public var appendPunctuations = "\"'.。,，!！?？:：”)]}、"

    public init(language: String? = nil, withoutTimestamps: Bool = false, wordTimestamps: Bool = false) {
        self.language = language
        self.withoutTimestamps = withoutTimestamps
        self.wordTimestamps = wordTimestamps
    }
}

/// One `generate` call: what the model saw and produced (for tests and diagnostics).
public struct WhisperGenerateCall: Sendable, Equatable {
    public var seek: Int
    public var windowFrames: Int
    public var prompt: [Int]
    /// Generated ids including timestamp tokens, without the final <|endoftext|>.
    public var generated: [Int]
    /// Sum of the log-probabilities of the generated tokens and the end token.
    public var sumLogProb: Double
    /// sumLogProb / (generated.count + 1), faster-whisper's avg_logprob.
    public var averageLogProb: Double
    public var noSpeechProbability: Double
    public var temperature: Float
    public var compressionRatio: Double?
    /// The first greedy pass looped (the repetition guard stopped it).
    public var loopDetected = false
    /// The kept output still loops after every retry (its looping tail was cut off).
    public var looped = false
    /// The kept output ran into the token bound without an end token.
    public var reachedTokenLimit = false
}

public struct WhisperWord: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var word: String
    public var probability: Double
}

public struct WhisperSegment: Sendable, Equatable {
    public var seek: Int
    public var start: Double
    public var end: Double
    public var text: String
    public var tokens: [Int]
    public var averageLogProb: Double
    public var noSpeechProbability: Double
    public var temperature: Float
    public var compressionRatio: Double?
    public var words: [WhisperWord]?
}

public struct WhisperLanguageDetection: Sendable, Equatable {
    public var language: String
    public var probability: Double
    /// Every language with its probability, most likely first.
    public var all: [(code: String, probability: Double)]

    public static func == (a: Self, b: Self) -> Bool {
        a.language == b.language && a.probability == b.probability
            && a.all.map(\.code) == b.all.map(\.code) && a.all.map(\.probability) == b.all.map(\.probability)
    }
}

public struct WhisperTranscription: Sendable, Equatable {
    public var language: String
    /// 1 when the language was given.
    public var languageProbability: Double
    /// nil when the language was given.
    public var languageDetection: WhisperLanguageDetection?
    public var segments: [WhisperSegment]
    public var calls: [WhisperGenerateCall]
    /// Content duration in seconds (content frames × 10 ms).
    public var duration: Double
    public var text: String { segments.map(\.text).joined() }
    /// Windows whose output still loops after the guard's retries.
    public var loopedWindows: Int { calls.count { $0.looped } }
    /// Windows whose first pass looped but a retry decoded cleanly.
    public var recoveredLoops: Int { calls.count { $0.loopDetected && !$0.looped } }
    /// Windows whose output hit the token bound.
    public var truncatedWindows: Int { calls.count { $0.reachedTokenLimit } }
}

/// Runs decoding over one session; use one transcriber per task (it owns scratch and a KV cache).
public final class WhisperTranscriber {
    public let session: WhisperSession
    public let tokenizer: BPETokenizer
    public var config: WhisperConfig { session.config }
    let special: WhisperSpecialTokens
    let transcribeID: Int
    let startOfPreviousID: Int
    let noSpeechID: Int
    /// "Ġ", the bare space; nil in a vocabulary without it.
    let bareSpaceID: Int?
    /// Language code → token id, in config.json `lang_ids` order.
    public let languages: [(code: String, id: Int)]
    /// Seconds per mel frame and per timestamp token.
    static let secondsPerFrame = 0.01
    static let timePrecision = 0.02
    /// Mel frames per timestamp step (input_stride).
    static let inputStride = 2

    /// A 30 s window holding `melBins × windowFrames` floats, zero-padded.
    private var window: [Float]

    public init(model: WhisperModel, tokenizer: BPETokenizer) throws {
        session = WhisperSession(model: model)
        self.tokenizer = tokenizer
        func id(_ token: String) throws -> Int {
            guard let id = tokenizer.id(of: token) else { throw WhisperError.specialTokenMissing(token) }
            return id
        }
        special = WhisperSpecialTokens(endOfText: try id("<|endoftext|>"), startOfTranscript: try id("<|startoftranscript|>"),
                                       noTimestamps: try id("<|notimestamps|>"), timestampEnd: model.config.vocabularySize - 1)
        transcribeID = try id("<|transcribe|>")
        startOfPreviousID = try id("<|startofprev|>")
        // Newer vocabularies call it <|nospeech|>; CT2 looks that up first.
        noSpeechID = try tokenizer.id(of: "<|nospeech|>") ?? id("<|nocaptions|>")
        bareSpaceID = tokenizer.id(of: "Ġ")
        languages = model.config.languageIDs.compactMap { id in
            guard let token = tokenizer.token(of: id), token.hasPrefix("<|"), token.hasSuffix("|>") else { return nil }
            return (String(token.dropFirst(2).dropLast(2)), id)
        }
        window = [Float](repeating: 0, count: model.config.melBins * model.config.windowFrames)
    }

    // MARK: - Windows

    /// Copies mel[:, start ..< start + count] into the zero-padded window and encodes it.
    private func encodeWindow(_ mel: Tensor, start: Int, count: Int) {
        let bins = config.melBins, width = config.windowFrames, frames = mel.shape[1]
        let used = max(0, min(count, width, frames - start))
        window.withUnsafeMutableBufferPointer { w in
            mel.data.withUnsafeBufferPointer { m in
                for b in 0..<bins {
                    let row = w.baseAddress! + b * width
                    if used > 0 { row.update(from: m.baseAddress! + b * frames + start, count: used) }
                    if used < width { (row + used).update(repeating: 0, count: width - used) }
                }
            }
            session.encode(mel: UnsafePointer(w.baseAddress!))
        }
    }

    private func checkMel(_ mel: Tensor) throws {
        guard mel.rank == 2, mel.shape[0] == config.melBins else {
            throw WhisperError.melBinsMismatch(expected: config.melBins, found: mel.rank >= 1 ? mel.shape[0] : 0)
        }
    }

    // MARK: - Language detection

    /// Decoder step on [<|startoftranscript|>] over `mel[:, 0..<min(3000, frames)]`, softmax over the
    /// language tokens only (CT2 `detect_language`).
    public func detectLanguage(mel: Tensor) throws -> WhisperLanguageDetection {
        try checkMel(mel)
        guard !languages.isEmpty else { throw WhisperError.invalidConfig("config.json lists no lang_ids; this model cannot detect languages") }
        encodeWindow(mel, start: 0, count: min(config.windowFrames, mel.shape[1]))
        session.resetDecoder()
        try [special.startOfTranscript].withUnsafeBufferPointer { try session.decode($0) }
        session.computeLogits(firstRow: 0, count: 1)
        var scores = languages.map { session.logits[$0.id] }
        scores.withUnsafeMutableBufferPointer { Softmax.row($0.baseAddress!, count: $0.count) }
        let all = zip(languages, scores).map { (code: $0.code, probability: Double($1)) }
            .enumerated().sorted { $0.element.probability != $1.element.probability ? $0.element.probability > $1.element.probability : $0.offset < $1.offset }
            .map(\.element)
        return WhisperLanguageDetection(language: all[0].code, probability: all[0].probability, all: all)
    }

    func languageID(_ code: String) throws -> Int {
        guard let entry = languages.first(where: { $0.code == code.lowercased() }) else {
            throw WhisperError.unknownLanguage(code, known: languages.map(\.code))
        }
        return entry.id
    }

    // MARK: - Transcription

    /// Transcribes the whole-file log-mel `mel` ([melBins, frames], computed over the samples plus 160
    /// zero samples, so the last frame is padding as in faster-whisper's feature extractor).
    public func transcribe(mel: Tensor, options: WhisperOptions = WhisperOptions()) throws -> WhisperTranscription {
        try checkMel(mel)
        let frames = mel.shape[1]
        let contentFrames = max(0, frames - 1)
        var detection: WhisperLanguageDetection?
        let language: String
        if let given = options.language {
            language = given.lowercased()
        } else {
            let detected = try detectLanguage(mel: mel)
            detection = detected
            language = detected.language
        }
        let languageToken = try languageID(language)
        var sotSequence = [special.startOfTranscript, languageToken, transcribeID]
        if options.withoutTimestamps { sotSequence.append(special.noTimestamps) }

        var segments: [WhisperSegment] = []
        var calls: [WhisperGenerateCall] = []
        var allTokens: [Int] = []
        if let initial = options.initialPrompt?.trimmingCharacters(in: .whitespacesAndNewlines), !initial.isEmpty {
            allTokens = tokenizer.encode(" " + initial, allowSpecial: false)
        }
        var promptResetSince = 0
        var lastSpeechTimestamp = 0.0
        var seek = 0
        while seek < contentFrames {
            let timeOffset = Double(seek) * Self.secondsPerFrame
            let segmentSize = min(config.windowFrames, contentFrames - seek)
            let segmentDuration = Double(segmentSize) * Self.secondsPerFrame
            encodeWindow(mel, start: seek, count: segmentSize)

            // get_prompt: <|startofprev|> + the last (448/2 − 1) previous tokens, then the task tokens.
            var prompt: [Int] = []
            let previous = allTokens[promptResetSince...]
            if !previous.isEmpty {
                prompt.append(startOfPreviousID)
                prompt.append(contentsOf: previous.suffix(config.textPositions / 2 - 1))
            }
            prompt.append(contentsOf: sotSequence)

            let outcome = try generateWithFallback(prompt: prompt, options: options, windowSeconds: segmentDuration)
            calls.append(WhisperGenerateCall(
                seek: seek, windowFrames: segmentSize, prompt: prompt, generated: outcome.tokens,
                sumLogProb: outcome.sumLogProb, averageLogProb: outcome.averageLogProb,
                noSpeechProbability: outcome.noSpeechProbability, temperature: outcome.temperature,
                compressionRatio: outcome.compressionRatio, loopDetected: outcome.loopDetected,
                looped: outcome.looped, reachedTokenLimit: outcome.reachedLimit))

            if let noSpeech = options.noSpeechThreshold {
                var skip = outcome.noSpeechProbability > noSpeech
                if let threshold = options.logProbThreshold, outcome.averageLogProb > threshold { skip = false }
                if skip {
                    // Silence: nothing lost, so neither a loop nor the bound counts against the window.
                    calls[calls.count - 1].looped = false
                    calls[calls.count - 1].reachedTokenLimit = false
                    seek += segmentSize
                    continue
                }
            }

            let previousSeek = seek
            var split = splitByTimestamps(outcome.tokens, timeOffset: timeOffset, segmentSize: segmentSize,
                                          segmentDuration: segmentDuration, seek: seek)
            seek = split.seek
            if options.wordTimestamps {
                _ = try addWordTimestamps(&split.segments, language: language, sotSequence: Array(sotSequence.prefix(3)),
                                          numFrames: segmentSize, options: options, lastSpeechTimestamp: lastSpeechTimestamp)
                if !split.singleTimestampEnding, let lastWordEnd = Self.end(of: split.segments), lastWordEnd > timeOffset {
                    seek = Int((lastWordEnd / Self.secondsPerFrame).rounded(.toNearestOrEven))
                }
                if let lastWordEnd = Self.end(of: split.segments) { lastSpeechTimestamp = lastWordEnd }
            }
            for segment in split.segments {
                let text = decodeText(segment.tokens)
                if segment.start == segment.end || text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                allTokens.append(contentsOf: segment.tokens)
                segments.append(WhisperSegment(
                    seek: previousSeek, start: segment.start, end: segment.end, text: text, tokens: segment.tokens,
                    averageLogProb: outcome.averageLogProb, noSpeechProbability: outcome.noSpeechProbability,
                    temperature: outcome.temperature, compressionRatio: outcome.compressionRatio,
                    words: options.wordTimestamps ? segment.words : nil))
            }
            if !options.conditionOnPreviousText || outcome.temperature > options.promptResetOnTemperature {
                promptResetSince = allTokens.count
            }
        }
        return WhisperTranscription(
            language: language, languageProbability: detection?.probability ?? 1, languageDetection: detection,
            segments: segments, calls: calls, duration: Double(contentFrames) * Self.secondsPerFrame)
    }

    /// Text of the ids below <|endoftext|> (timestamps and specials dropped, as faster-whisper's decode).
    func decodeText(_ tokens: [Int]) -> String {
        tokenizer.decode(tokens.filter { $0 < special.endOfText })
    }

    /// faster-whisper `get_end`: the last word's end, else the last segment's end.
    static func end(of segments: [PendingSegment]) -> Double? {
        for segment in segments.reversed() {
            if let word = segment.words.last { return word.end }
        }
        return segments.last?.end
    }

    // MARK: - Segments from timestamps

    struct PendingSegment {
        var seek: Int
        var start: Double
        var end: Double
        var tokens: [Int]
        var words: [WhisperWord] = []
    }

    /// `_split_segments_by_timestamps`: cut at consecutive timestamp pairs; returns the next seek.
    func splitByTimestamps(_ tokens: [Int], timeOffset: Double, segmentSize: Int, segmentDuration: Double, seek: Int)
        -> (segments: [PendingSegment], seek: Int, singleTimestampEnding: Bool) {
        let begin = special.timestampBegin
        let single = tokens.count >= 2 && tokens[tokens.count - 2] < begin && tokens[tokens.count - 1] >= begin
        let consecutive = tokens.indices.filter { $0 > 0 && tokens[$0] >= begin && tokens[$0 - 1] >= begin }
        var segments: [PendingSegment] = []
        var seek = seek
        if !consecutive.isEmpty {
            var slices = consecutive
            if single { slices.append(tokens.count) }
            var last = 0
            for current in slices {
                let sliced = Array(tokens[last..<current])
                let start = timeOffset + Double(sliced[0] - begin) * Self.timePrecision
                let end = timeOffset + Double(sliced[sliced.count - 1] - begin) * Self.timePrecision
                segments.append(PendingSegment(seek: seek, start: start, end: end, tokens: sliced))
                last = current
            }
            if single {
                seek += segmentSize
            } else {
                seek += (tokens[last - 1] - begin) * Self.inputStride
            }
        } else {
            var duration = segmentDuration
            let timestamps = tokens.filter { $0 >= begin }
            if let lastTimestamp = timestamps.last, lastTimestamp != begin {
                duration = Double(lastTimestamp - begin) * Self.timePrecision
            }
            segments.append(PendingSegment(seek: seek, start: timeOffset, end: timeOffset + duration, tokens: tokens))
            seek += segmentSize
        }
        return (segments, seek, single)
    }

    // MARK: - Generation

    struct Outcome {
        var tokens: [Int]
        var sumLogProb: Double
        var averageLogProb: Double
        var noSpeechProbability: Double
        var temperature: Float
        var compressionRatio: Double?
        /// The repetition guard stopped this pass (tokens are cut before the loop).
        var looped = false
        /// An earlier greedy pass of this window looped.
        var loopDetected = false
        /// Stopped at the token bound without an end token.
        var reachedLimit = false
    }

    /// `generate_with_fallback`: decode at each temperature until neither the compression-ratio nor the
    /// log-prob rule asks for another try (or the window is judged silent).
    func generateWithFallback(prompt: [Int], options: WhisperOptions, windowSeconds: Double = 30) throws -> Outcome {
        var all: [Outcome] = []
        var belowCompressionThreshold: [Outcome] = []
        var generator = WhisperRandom(seed: options.seed)
        let temperatures = options.temperatures.isEmpty ? [0] : options.temperatures
        for temperature in temperatures {
            var outcome: Outcome
            if temperature > 0 {
                var best: Outcome?
                var bestScore = -Double.infinity
                for _ in 0..<max(1, options.bestOf) {
                    let candidate = try generate(prompt: prompt, temperature: temperature, options: options,
                                                 windowSeconds: windowSeconds, random: &generator)
                    // CT2 ranks sampled hypotheses by cumulative log-prob / length (length_penalty 1).
                    let score = candidate.sumLogProb / Double(max(1, candidate.tokens.count))
                    if best == nil || score > bestScore { best = candidate; bestScore = score }
                }
                outcome = best!
            } else {
                outcome = try generate(prompt: prompt, temperature: 0, options: options, windowSeconds: windowSeconds, random: &generator)
                if outcome.looped {
                    // The guard's recovery: the same greedy pass, but no n-gram may repeat.
                    var retry = try generate(prompt: prompt, temperature: 0, options: options, windowSeconds: windowSeconds,
                                             random: &generator, noRepeatNgramSize: options.repetitionGuard.retryNoRepeatNgramSize)
                    retry.loopDetected = true
                    outcome = retry
                }
            }
            outcome.compressionRatio = WhisperCompression.ratio(decodeText(outcome.tokens).trimmingCharacters(in: .whitespacesAndNewlines))
            all.append(outcome)

            var needsFallback = false
            if let threshold = options.compressionRatioThreshold, let ratio = outcome.compressionRatio {
                if ratio > threshold { needsFallback = true } else { belowCompressionThreshold.append(outcome) }
            } else {
                belowCompressionThreshold.append(outcome)
            }
            if let threshold = options.logProbThreshold, outcome.averageLogProb < threshold { needsFallback = true }
            if outcome.looped { needsFallback = true }
            if let noSpeech = options.noSpeechThreshold, outcome.noSpeechProbability > noSpeech,
               let threshold = options.logProbThreshold, outcome.averageLogProb < threshold {
                needsFallback = false  // silence: no point retrying
            }
            if !needsFallback { return outcome }
        }
        // Every temperature failed: the best average log-prob among those under the compression threshold
        // (and, when there are any, among those that do not loop).
        let pool = belowCompressionThreshold.isEmpty ? all : belowCompressionThreshold
        let clean = pool.filter { !$0.looped }
        var chosen = (clean.isEmpty ? pool : clean).max { $0.averageLogProb < $1.averageLogProb }!
        chosen.loopDetected = all.contains { $0.loopDetected || $0.looped }
        chosen.temperature = temperatures.last!
        return chosen
    }

    /// One CT2 `generate` call (greedy at temperature 0, sampling otherwise) on the encoded window.
    /// `noRepeatNgramSize` bans text tokens that would repeat an n-gram of this window's output.
    func generate(prompt: [Int], temperature: Float, options: WhisperOptions, windowSeconds: Double = 30,
                  random: inout WhisperRandom, noRepeatNgramSize: Int? = nil) throws -> Outcome {
        let c = config, vocab = c.vocabularySize
        guard !prompt.isEmpty, prompt.count < c.textPositions else {
            throw WhisperError.sequenceTooLong(tokens: prompt.count + 1, limit: c.textPositions)
        }
        session.resetDecoder()
        try prompt.withUnsafeBufferPointer { try session.decode($0) }
        // no_speech_prob: softmax of the raw logits at the <|startoftranscript|> position.
        let sotIndex = prompt.firstIndex(of: special.startOfTranscript) ?? 0
        session.computeLogits(firstRow: sotIndex, count: 1)
        let noSpeech = Self.probability(of: noSpeechID, logits: session.logits, count: vocab)
        session.computeLogits(firstRow: prompt.count - 1, count: 1)

        let withTimestamps = prompt.last != special.noTimestamps
        let bareSpace = options.suppressBareSpace ? bareSpaceID.map { [$0] } ?? [] : []
        let filters = WhisperLogitFilters(
            tokens: special, suppressIDs: c.suppressIDs + bareSpace, suppressIDsBegin: options.suppressBlank ? c.suppressIDsBegin : [],
            maxInitialTimestampIndex: withTimestamps ? Int((options.maxInitialTimestamp / Self.timePrecision).rounded()) : nil)
        var maxLength = min(c.textPositions / 2, c.textPositions - (prompt.count - 1))
        if let perSecond = options.maxTokensPerSecond {
            maxLength = min(maxLength, Int((windowSeconds * perSecond).rounded(.up)) + options.tokenBudgetMargin)
        }
        maxLength = max(1, maxLength)
        let endOfText = special.endOfText
        // Only text tokens count for the guard: timestamps differ between the copies of a looping segment.
        let loop = TokenLoop(logits: UnsafeMutableBufferPointer(start: session.logits, count: vocab), maxLength: maxLength,
                             isStop: { $0 == endOfText }, repetitionGuard: options.repetitionGuard, guarded: { $0 < endOfText },
                             noRepeatNgramSize: noRepeatNgramSize, bannable: { $0 < endOfText })
        var sumLogProb = 0.0
        var step = [0]
        let output = try loop.run(shape: { row, generated in filters.apply(to: row, sampled: generated) }, pick: { row in
            let logSum = Self.logSumExp(row)
            let token = temperature > 0 ? Self.sample(row, temperature: temperature, random: &random)
                : Vector.argmax(row.baseAddress!, count: row.count)
            sumLogProb += Double(row[token] - logSum)
            return token
        }, advance: { token in
            step[0] = token
            try step.withUnsafeBufferPointer { try session.decode($0) }
            session.computeLogits(firstRow: 0, count: 1)
        })
        return Outcome(tokens: output.ids, sumLogProb: sumLogProb,
                       averageLogProb: sumLogProb / Double(output.ids.count + 1),
                       noSpeechProbability: noSpeech, temperature: temperature, compressionRatio: nil,
                       looped: output.looped, reachedLimit: !output.looped && !output.stopped)
    }

    /// log Σ exp(row), in Float as CT2's log-softmax.
    static func logSumExp(_ row: UnsafeMutableBufferPointer<Float>) -> Float {
        var maximum = -Float.infinity
        for v in row where v > maximum { maximum = v }
        guard maximum > -.infinity else { return 0 }
        var sum: Float = 0
        for v in row { sum += expf(v - maximum) }
        return maximum + logf(sum)
    }

    static func probability(of id: Int, logits: UnsafeMutablePointer<Float>, count: Int) -> Double {
        let row = UnsafeMutableBufferPointer(start: logits, count: count)
        return Double(expf(row[id] - logSumExp(row)))
    }

    /// Multinomial draw from softmax(row / temperature).
    static func sample(_ row: UnsafeMutableBufferPointer<Float>, temperature: Float, random: inout WhisperRandom) -> Int {
        var maximum = -Float.infinity
        for v in row where v > maximum { maximum = v }
        var total: Double = 0
        for v in row where v > -.infinity { total += Double(expf((v - maximum) / temperature)) }
        var target = random.nextUnit() * total
        var last = 0
        for i in 0..<row.count where row[i] > -.infinity {
            target -= Double(expf((row[i] - maximum) / temperature))
            last = i
            if target <= 0 { return i }
        }
        return last
    }
}

/// SplitMix64: a small seeded generator so sampled fallbacks are reproducible.
struct WhisperRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
