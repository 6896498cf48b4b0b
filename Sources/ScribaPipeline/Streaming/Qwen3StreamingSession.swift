import ScribaAudio
import ScribaModels
import ScribaTensor
import ScribaTranscript

// Qwen3-ASR live captions by the official method (qwen-asr 0.0.6 `streaming_transcribe`): every
// `chunkSeconds` of audio the model decodes again with the previous output, minus its last
// `unfixedTokens` tokens, already in the assistant turn (Qwen3ASR+Streaming.swift has the rule).
// `.official` runs it as the reference does, on all audio since the start; `.live` bounds the cost
// (Qwen3StreamingOptions). Commits follow a stable frontier (StableFrontier). Word times are spread
// evenly over the audio between the previous commit and the step's end less the unfixed tail: the
// official method has no times, and the aligner is not run on live commits.

public actor Qwen3StreamingSession: StreamingSession {
    public let recognizer: Qwen3Recognizer
    public let options: Qwen3StreamingOptions
    public static let sampleRate = 16_000

    /// Stream audio from sample `samplesStart` on (live mode drops what the model no longer hears).
    private var samples: [Float] = []
    private var samplesStart = 0
    private var received = 0
    /// Audio up to here has been decoded (whole chunks).
    private var consumed = 0
    /// Where the current segment (and its chunk count, raw output and frontier) began.
    private var segmentStart = 0
    private var chunkID = 0
    /// The segment's raw output, without its first `rawDropped` text scalars (live mode).
    private var raw = ""
    private var rawDropped = 0
    private var frontier = StableFrontier()
    /// Live: where the model's audio starts (whole windows after `segmentStart`) and the encoder
    /// rows of its complete windows.
    private var audioStart = 0
    private var cachedRows: [Float] = []
    private var cachedWindows = 0
    private var windowSamples = 0
    private var languageName: String?
    private var detectedCode = ""
    private var pastText = ""
    private var committed: [TimedWord] = []
    private var lastCommitEnd = 0.0
    private var lastPartial = ""
    /// Seconds of audio the last decode heard (live: at most `contextWindows` windows).
    public private(set) var heardSeconds = 0.0
    /// Encoder windows whose rows the next live decode reuses.
    public var cachedWindowCount: Int { cachedWindows }
    /// Segments started at a silence.
    public private(set) var reanchors = 0
    /// Seconds of the stream decoded so far (whole chunks).
    public var decodedSeconds: Double { Double(consumed) / Double(Self.sampleRate) }
    /// Decodes run, and the prompt and generated tokens they handled (benchmarks).
    public private(set) var decodeCount = 0
    public private(set) var promptTokens = 0
    public private(set) var generatedTokens = 0
    /// The stream time the last finished decode covered up to, seconds.
    public private(set) var completedSeconds = 0.0
    /// Summed wall seconds per stage (log-mel, encoder, prefill, decode steps) and KV positions kept.
    public private(set) var stageSeconds = (features: 0.0, encoder: 0.0, prefill: 0.0, steps: 0.0)
    public private(set) var reusedPositions = 0
    /// Every decode's prompt and output when `recordsDecodes` (the parity test).
    public private(set) var decodes: [Qwen3StreamingDecode] = []
    public var recordsDecodes = false

    public init(recognizer: Qwen3Recognizer, options: Qwen3StreamingOptions = .init()) {
        self.recognizer = recognizer
        self.options = options
        languageName = options.language?.name
        detectedCode = options.language?.code ?? ""
    }

    public func setRecordsDecodes(_ on: Bool) { recordsDecodes = on }

    public func append(_ samples: [Float]) {
        self.samples += samples
        received += samples.count
    }

    private var chunkSamples: Int { max(1, Int((options.chunkSeconds * Double(Self.sampleRate)).rounded())) }
    /// Only whole chunks count: a step decodes once one is complete.
    public var unprocessedSeconds: Double {
        Double((received - consumed) / chunkSamples * chunkSamples) / Double(Self.sampleRate)
    }
    public var receivedSeconds: Double { Double(received) / Double(Self.sampleRate) }
    public var committedWords: [TimedWord] { committed }
    /// The current segment's raw model output (its head cut in live mode): the reference's `_raw_decoded`.
    public var rawOutput: String { raw }

    public func step() async throws -> [StreamingEvent] {
        let chunks = (received - consumed) / chunkSamples
        guard chunks > 0 else { return [] }
        var words: [TimedWord] = []
        if options.mode == .official {
            // One decode per chunk, as `streaming_transcribe`'s loop does.
            for _ in 0..<chunks {
                consumed += chunkSamples
                words += try await decode(upTo: consumed, finishing: false)
            }
        } else {
            // Behind: one decode covers every whole chunk that arrived.
            consumed += chunks * chunkSamples
            words += try await decode(upTo: consumed, finishing: false, chunks: chunks)
            words += reanchorAtSilence()
        }
        FreedMemory.release()
        return events(words)
    }

    public func finish() async throws -> [StreamingEvent] {
        var words: [TimedWord] = []
        if received > consumed {
            consumed = received
            words += try await decode(upTo: consumed, finishing: true)
        }
        words += commitHypothesis(end: Double(received) / Double(Self.sampleRate))
        var events = self.events(words)
        if !lastPartial.isEmpty { events.append(.partial("")) }
        lastPartial = ""
        events.append(.final(StreamingTranscript.make(words: committed, language: detectedCode, duration: receivedSeconds)))
        return events
    }

    private func events(_ words: [TimedWord]) -> [StreamingEvent] {
        var events: [StreamingEvent] = []
        if !words.isEmpty { events.append(.committed(words)) }
        let partial = frontier.partial(hypothesis: body(raw), offset: rawDropped)
        if partial != lastPartial || !words.isEmpty {
            events.append(.partial(partial))
            lastPartial = partial
        }
        return events
    }

    /// One decode of the audio up to stream sample `end`; returns the words it commits.
    private func decode(upTo end: Int, finishing: Bool, chunks: Int = 1) async throws -> [TimedWord] {
        let live = options.mode == .live
        if live, windowSamples == 0 { windowSamples = await recognizer.windowSamples }
        if live {
            // The model hears at most `contextWindows` windows. Past that, the oldest half of them
            // leave (the prompt then changes from the audio's start, so no KV rows are kept for that
            // step): a full prefill every contextWindows/2 windows instead of every window.
            while end - audioStart > options.contextWindows * windowSamples {
                let dropped = max(1, options.contextWindows / 2)
                audioStart += dropped * windowSamples
                let droppedCached = min(dropped, cachedWindows)
                if droppedCached > 0 {
                    cachedRows.removeFirst(cachedRows.count / cachedWindows * droppedCached)
                    cachedWindows -= droppedCached
                }
            }
            let drop = audioStart - samplesStart
            if drop > 0 {
                samples.removeFirst(drop)
                samplesStart = audioStart
            }
        }
        let from = live ? audioStart : segmentStart
        heardSeconds = Double(end - from) / Double(Self.sampleRate)
        // Live: only the raw output's end is re-tokenised; its head stays as it is.
        let rawScalars = Array(raw.unicodeScalars)
        let headCount = live ? max(0, rawScalars.count - Self.liveRawTailScalars) : 0
        var request = Qwen3StreamingRequest(
            samples: Array(samples[(from - samplesStart)..<(end - samplesStart)]), language: languageName,
            context: contextText, previous: String(String.UnicodeScalarView(rawScalars[headCount...])), chunkID: chunkID,
            finishing: finishing, unfixedChunks: options.unfixedChunks, unfixedTokens: options.unfixedTokens,
            maxPrefixTokens: live ? options.maxPrefixTokens : nil, maxNewTokens: options.maxNewTokens)
        if live {
            request.cachedRows = cachedRows
            request.cachedWindows = cachedWindows
            request.returnsCompleteWindows = true
            request.reusingCache = options.reusesPromptCache
        }
        // The recogniser is an actor of its own: this one stays free for `append` while it decodes.
        let result = try await recognizer.streamingStep(request)
        if recordsDecodes { decodes.append(result.decode) }
        decodeCount += 1
        promptTokens += result.decode.promptIDs.count
        generatedTokens += result.decode.ids.count
        completedSeconds = Double(end) / Double(Self.sampleRate)
        stageSeconds.features += result.featureSeconds
        stageSeconds.encoder += result.encoderSeconds
        stageSeconds.prefill += result.decode.prefillSeconds
        stageSeconds.steps += result.decode.stepSeconds
        reusedPositions += result.decode.reusedPositions
        if live, result.completeWindows > cachedWindows {
            cachedRows = result.completeWindowRows
            cachedWindows = result.completeWindows
        }
        chunkID += finishing ? 1 : chunks
        let head = String(String.UnicodeScalarView(rawScalars[..<headCount]))
        raw = head + result.kept + result.decode.text
        let stable = head + result.stable
        fixLanguage()
        let endTime = Double(end) / Double(Self.sampleRate)
        // The first `unfixedChunks` outputs are rewritten from scratch by the next step: nothing in
        // them is stable yet.
        let texts = chunkID >= options.unfixedChunks ? frontier.advance(stable: body(stable), offset: rawDropped, final: false) : []
        trimRaw()
        return timed(texts, until: max(lastCommitEnd, endTime - Self.unfixedTailSeconds))
    }

    /// The system-turn context: the user's, then (after a re-anchor) the end of what was committed.
    private var contextText: String? {
        let parts = [options.context?.trimmingWhitespace() ?? "", pastText].filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "\n")
    }

    /// The language the output names, once; live mode then forces it, so the raw output is all text
    /// (and can be cut at its start).
    private func fixLanguage() {
        guard languageName == nil else { return }
        let parsed = Qwen3ASROutput.parse(raw, forcedLanguage: nil)
        guard !parsed.language.isEmpty, raw.contains(Self.asrTextTag) else { return }
        detectedCode = Language.named(parsed.language)?.code ?? detectedCode
        guard options.mode == .live, let known = Language.named(parsed.language) else { return }
        languageName = known.name
        raw = String(String.UnicodeScalarView(body(raw)))
    }

    /// Text scalars of a raw output: after `<asr_text>` when it names a language.
    private func body(_ text: String) -> [Unicode.Scalar] {
        guard let range = text.range(of: Self.asrTextTag) else { return Array(text.unicodeScalars) }
        return Array(text[range.upperBound...].unicodeScalars)
    }

    /// Live: drops the raw output's committed head past `liveRawKeepScalars`, so nothing grows.
    private func trimRaw() {
        guard options.mode == .live, languageName != nil else { return }
        let scalars = Array(raw.unicodeScalars)
        let drop = min(scalars.count - Self.liveRawKeepScalars, frontier.committed.count - rawDropped)
        guard drop > 0 else { return }
        raw = String(String.UnicodeScalarView(scalars[drop...]))
        rawDropped += drop
    }

    /// Live: a silence at the end of a long enough segment commits all of it and starts the next
    /// segment there, with the committed text's end as context.
    private func reanchorAtSilence() -> [TimedWord] {
        let rate = Double(Self.sampleRate)
        let quiet = Int(options.silenceSeconds * rate)
        guard Double(consumed - segmentStart) / rate >= options.minSegmentSeconds, consumed - samplesStart >= quiet else { return [] }
        let tail = samples[(consumed - samplesStart - quiet)..<(consumed - samplesStart)]
        let rms = (tail.reduce(Float(0)) { $0 + $1 * $1 } / Float(quiet)).squareRoot()
        guard rms < options.silenceLevel else { return [] }
        let words = commitHypothesis(end: Double(consumed) / rate - options.silenceSeconds)
        pastText = String(Transcript.joinedWords(committed.map(\.text)).suffix(Self.pastTextCharacters))
        segmentStart = consumed
        audioStart = consumed
        reanchors += 1
        chunkID = 0
        raw = ""
        rawDropped = 0
        frontier = StableFrontier()
        cachedRows = []
        cachedWindows = 0
        return words
    }

    /// Commits the whole newest output (its end is heard: the stream or the segment ended).
    private func commitHypothesis(end: Double) -> [TimedWord] {
        timed(frontier.advance(stable: body(raw), offset: rawDropped, final: true), until: max(lastCommitEnd, end))
    }

    /// Words with times spread evenly from the previous commit's end to `end`.
    private func timed(_ texts: [String], until end: Double) -> [TimedWord] {
        guard !texts.isEmpty else { return [] }
        let start = lastCommitEnd
        let share = (end - start) / Double(texts.count)
        let words = texts.enumerated().map { index, text in
            TimedWord(text: text, start: start + share * Double(index), end: start + share * Double(index + 1))
        }
        committed += words
        lastCommitEnd = end
        return words
    }

    static let asrTextTag = "<asr_text>"
    /// Live: scalars of the raw output re-tokenised per step (the prefix needs ≤ 150 tokens of it).
    static let liveRawTailScalars = 1_200
    /// Live: the raw output is cut back to this many scalars once its head is committed.
    static let liveRawKeepScalars = 2_000
    /// After a re-anchor, this much of the committed text goes into the context.
    static let pastTextCharacters = 200
    /// How far behind the audio's end committed text is taken to end (the unfixed tokens' audio).
    static let unfixedTailSeconds = 1.0
}
