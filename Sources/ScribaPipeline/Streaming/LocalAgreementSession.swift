import ScribaAudio
import ScribaTensor
import ScribaTranscript

// whisper_streaming's OnlineASRProcessor over any recogniser that gives word times (Whisper's DTW):
// every step re-decodes the buffered audio with the committed text before it as the prompt,
// LocalAgreement-2 commits what two passes agree on, and the buffer is cut at committed sentence
// ends so a step never decodes more than `maxBufferSeconds`, however long the stream.

public actor LocalAgreementSession: StreamingSession {
    public let recognizer: any SpeechRecognizer
    public let options: StreamingOptions
    public static let sampleRate = 16_000

    /// Audio from `bufferStart` (a sample index into the stream) to the newest sample.
    private var buffer: [Float] = []
    private var bufferStart = 0
    private var received = 0
    /// `received` when the last step took its snapshot.
    private var decodedUpTo = 0
    private var hypotheses = HypothesisBuffer()
    private var committed: [TimedWord] = []
    private var language: Language?
    private var detectedCode = ""
    private var lastPartial = ""

    public init(recognizer: any SpeechRecognizer, options: StreamingOptions = .init()) {
        self.recognizer = recognizer
        self.options = options
        language = options.language
        detectedCode = options.language?.code ?? ""
    }

    public func append(_ samples: [Float]) {
        buffer += samples
        received += samples.count
    }

    public var unprocessedSeconds: Double { Double(received - decodedUpTo) / Double(Self.sampleRate) }
    public var receivedSeconds: Double { Double(received) / Double(Self.sampleRate) }
    /// Seconds of audio the next step would decode (bounded by the trimming).
    public var bufferedSeconds: Double { Double(buffer.count) / Double(Self.sampleRate) }
    /// Every word committed so far.
    public var committedWords: [TimedWord] { committed }

    public func step() async throws -> [StreamingEvent] {
        var newlyCommitted = try await decodeAndCommit(final: false)
        newlyCommitted += trimBuffer()
        FreedMemory.release()
        var events: [StreamingEvent] = []
        if !newlyCommitted.isEmpty { events.append(.committed(newlyCommitted)) }
        let partial = Transcript.joinedWords(hypotheses.tail.map(\.text))
        if partial != lastPartial || !newlyCommitted.isEmpty {
            events.append(.partial(partial))
            lastPartial = partial
        }
        return events
    }

    public func finish() async throws -> [StreamingEvent] {
        var events: [StreamingEvent] = []
        var newlyCommitted: [TimedWord] = []
        if received > decodedUpTo { newlyCommitted = try await decodeAndCommit(final: true) }
        let rest = hypotheses.flush()
        committed += rest
        newlyCommitted += rest
        if !newlyCommitted.isEmpty { events.append(.committed(newlyCommitted)) }
        if !lastPartial.isEmpty { events.append(.partial("")) }
        lastPartial = ""
        events.append(.final(StreamingTranscript.make(words: committed, language: detectedCode, duration: receivedSeconds)))
        return events
    }

    /// One pass over the buffer; returns (and records) the words it commits.
    private func decodeAndCommit(final: Bool) async throws -> [TimedWord] {
        let snapshot = buffer, offset = Double(bufferStart) / Double(Self.sampleRate)
        decodedUpTo = received
        guard !snapshot.isEmpty else { return [] }
        var recognition = RecognitionOptions(language: language, context: prompt(), wordTimestamps: true)
        recognition.repetitionGuard = .init()
        recognition.temperatureFallback = false
        recognition.suppressBareSpace = language?.isWrittenWithSpaces == true
        // The recogniser is nonisolated: the actor stays free for `append` while it decodes.
        let result = try await recognizer.transcribe(AudioBuffer(samples: snapshot, sampleRate: Self.sampleRate), options: recognition)
        let words = result.segments.flatMap(\.words).map {
            TimedWord(text: $0.text, start: $0.start + offset, end: $0.end + offset, confidence: $0.confidence)
        }.filter { !$0.text.isEmpty }
        let audible = final ? words : Self.heardWords(words, bufferEnd: offset + Double(snapshot.count) / Double(Self.sampleRate))
        if language == nil, !words.isEmpty, let heard = Language.known.first(where: { $0.code == result.language }) {
            language = heard
            detectedCode = heard.code
        } else if detectedCode.isEmpty, !words.isEmpty {
            detectedCode = result.language
        }
        let fixed = hypotheses.insert(audible)
        committed += fixed
        return fixed
    }

    /// A hypothesis without the words it places at the buffer's very end: audio not heard yet.
    /// With the committed text as its prompt, Whisper goes on to finish a sentence it has seen
    /// before and piles the rest at the end with no duration (7 % of the steps on a timeline that
    /// repeats its clips). Two passes can agree on such a guess, and it would then be committed
    /// before it is spoken, or twice. The last pass, on the whole stream, keeps every word.
    static func heardWords(_ words: [TimedWord], bufferEnd: Double) -> [TimedWord] {
        Array(words.prefix { $0.start < bufferEnd - unheardMargin })
    }

    /// A word starting this close to the buffer's end has not been heard (Whisper's DTW frames are
    /// 20 ms; a word really begun there is heard on the next pass).
    static let unheardMargin = 0.1

    /// Committed text from before the buffer (the buffer's own committed words are in its audio):
    /// its last whole words up to `promptCharacters`, after the user's context. Whole words, as in
    /// whisper_streaming: a prompt that starts mid-word ("nd rather selfish…") is copied by Whisper
    /// into its next passes, and the fragment spreads.
    private func prompt() -> String? {
        let startTime = Double(bufferStart) / Double(Self.sampleRate)
        var words: [String] = []
        var length = 0
        for word in committed.reversed() where word.end <= startTime {
            length += word.text.count + 1
            if length > options.promptCharacters + 1 { break }
            words.append(word.text)
        }
        while words.last?.hasPrefix("-") == true { words.removeLast() }  // the rest of "ill-disposed"
        let tail = Transcript.joinedWords(words.reversed())
        let parts = [options.context?.trimmingWhitespace() ?? "", tail].filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// Cuts the buffer at the last committed sentence end once it is longer than `trimSeconds`.
    /// Past `maxBufferSeconds` it is cut at the last committed word, and when that still leaves it
    /// too long (a machine too slow for two agreeing passes, or nothing agreed: noise, music) only
    /// its last `keepOnForcedCutSeconds` stay, so a step's cost stays bounded. The newest
    /// hypothesis' words before such a cut are committed as heard once rather than lost; they
    /// are returned.
    private func trimBuffer() -> [TimedWord] {
        let rate = Double(Self.sampleRate)
        let startTime = Double(bufferStart) / rate
        let endTime = startTime + Double(buffer.count) / rate
        guard endTime - startTime > options.trimSeconds else { return [] }
        let inBuffer = committed.filter { $0.end > startTime }
        var cutTime = inBuffer.last(where: { SentenceGrouper.endsSentence(word: $0.text) })?.end ?? startTime
        if endTime - cutTime > options.maxBufferSeconds { cutTime = max(cutTime, inBuffer.last?.end ?? startTime) }
        var forced: [TimedWord] = []
        if endTime - cutTime > options.maxBufferSeconds {
            cutTime = endTime - options.keepOnForcedCutSeconds
            forced = hypotheses.commit(endingBy: cutTime)
            committed += forced
        }
        let cutSample = min(bufferStart + buffer.count, Int((cutTime * rate).rounded()))
        guard cutSample > bufferStart else { return forced }
        buffer.removeFirst(cutSample - bufferStart)
        bufferStart = cutSample
        hypotheses.forget(before: cutTime)
        return forced
    }
}
