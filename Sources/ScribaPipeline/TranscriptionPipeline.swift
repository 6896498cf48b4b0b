import ScribaAudio

/// What one pipeline run is asked for.
public struct PipelineOptions: Sendable, Equatable {
    public var recognition: RecognitionOptions
    /// Run the forced aligner (when there is one) on each chunk's text for word times.
    public var align: Bool
    /// Longest chunk in seconds; nil: the smaller of the recogniser's and the aligner's limits.
    public var maxChunkDuration: Double?
    /// Chunks in which the VAD finds less than `minSpeechSeconds` of speech are not sent to the
    /// model (marked `empty`): models invent text on silence (Whisper's "you").
    public var skipSilentChunks: Bool
    public var minSpeechSeconds: Double
    /// Context-echo guard: text holding the whole context verbatim is re-decoded without it when
    /// the context has at least this many words (characters in scripts without spaces); 0: off.
    public var contextEchoMinWords: Int
    /// Each word's times are trimmed to its own speech as the VAD hears it (`SpeechMap.trimmedToSpeech`),
    /// keeping `speechPad` seconds either side. Fixes Whisper's first word after a silence, which
    /// its cross-attention DTW starts up to seconds early.
    public var trimWordsToSpeech: Bool
    public var speechPad: Double
    /// A chunk's last words with no speech under them, when they run to the chunk's end, are
    /// dropped (`SilentTail`): Whisper decodes past the speech (repeats, guesses) and its DTW piles
    /// those words on the chunk's last frame.
    public var dropSilentTail: Bool
    /// Words decoded a second time in a chunk and piled by the word timing onto one spot, faster
    /// than speech, are dropped (`PiledRepeat`): a repeat that stops short of the chunk's end.
    public var dropPiledRepeats: Bool
    /// Stretches of speech inside a chunk that no word covers are decoded again on their own and
    /// their words put in place (`SkippedSpeech`): Whisper ends a window early or leaves out a
    /// sentence. Needs word times (Whisper's own or the aligner's).
    public var recoverSkippedSpeech: Bool
    /// Which detector decides speech for chunking and the guards above.
    public var voiceDetector: VoiceDetectorKind
    /// Silero's thresholds (`.silero` only).
    public var sileroOptions: SpeechSegmentOptions

    public static let defaultMinSpeechSeconds = 0.1
    public static let defaultContextEchoMinWords = 4
    /// 80 ms: four VAD frames, room for a soft onset (/h/, /f/) under the VAD threshold.
    public static let defaultSpeechPad = 0.08

    public init(recognition: RecognitionOptions = .init(), align: Bool = true, maxChunkDuration: Double? = nil,
                skipSilentChunks: Bool = true, minSpeechSeconds: Double = defaultMinSpeechSeconds,
                contextEchoMinWords: Int = defaultContextEchoMinWords, trimWordsToSpeech: Bool = true,
                speechPad: Double = defaultSpeechPad, dropSilentTail: Bool = true, dropPiledRepeats: Bool = true,
                recoverSkippedSpeech: Bool = true, voiceDetector: VoiceDetectorKind = .silero,
                sileroOptions: SpeechSegmentOptions = .init()) {
        self.recognition = recognition
        self.align = align
        self.maxChunkDuration = maxChunkDuration
        self.skipSilentChunks = skipSilentChunks
        self.minSpeechSeconds = minSpeechSeconds
        self.contextEchoMinWords = contextEchoMinWords
        self.trimWordsToSpeech = trimWordsToSpeech
        self.speechPad = speechPad
        self.dropSilentTail = dropSilentTail
        self.dropPiledRepeats = dropPiledRepeats
        self.recoverSkippedSpeech = recoverSkippedSpeech
        self.voiceDetector = voiceDetector
        self.sileroOptions = sileroOptions
    }
}

/// The voice detector the pipeline listens with; Silero by default (the library, the command line
/// and `scriba serve` alike). Code that feeds synthetic signals (tones, noise), which Silero rightly
/// calls non-speech, chooses `.energy`.
public enum VoiceDetectorKind: String, Sendable, CaseIterable, Equatable {
    /// Silero VAD (bundled) gating the energy detector: music, noise and applause are not speech.
    case silero
    /// Signal energy with hysteresis alone (quiet pauses, no loud non-speech).
    case energy
}

/// Audio in, `Transcript` out: chunk → skip silent chunks → recognise (context-echo guard) → align →
/// shift every time by its chunk's true start sample → drop a silent tail and piled repeats → decode skipped speech
/// again → trim words to their speech → merge. Every chunk gets a `ChunkCoverage`
/// saying whether its text is complete. Commands and the server call this; engines never see offsets.
public struct TranscriptionPipeline: Sendable {
    /// nil for a pipeline that only aligns given text (`init(aligner:)`).
    public let recognizer: (any SpeechRecognizer)?
    public let aligner: (any ForcedAligner)?
    public let chunker: any AudioChunker

    public init(recognizer: any SpeechRecognizer, aligner: (any ForcedAligner)? = nil,
                chunker: any AudioChunker = PauseChunker()) {
        self.recognizer = recognizer
        self.aligner = aligner
        self.chunker = chunker
    }

    /// A pipeline that only times given text (`align`); no recogniser is loaded.
    public init(aligner: any ForcedAligner) {
        recognizer = nil
        self.aligner = aligner
        chunker = PauseChunker()
    }

    public func chunkDuration(_ options: PipelineOptions) -> Double {
        var limit = options.maxChunkDuration ?? recognizer?.maxChunkDuration ?? aligner?.maxChunkDuration ?? .infinity
        if options.align, let aligner { limit = min(limit, aligner.maxChunkDuration) }
        return limit
    }

    /// The VAD that decides which chunks are silent: the chunker's when it has one.
    var voiceActivity: VoiceActivity { (chunker as? PauseChunker)?.voiceActivity ?? VoiceActivity() }

    /// The energy detector of this pipeline, gated by Silero's speech in `audio` when `options` ask
    /// for Silero (its weights are bundled; failing to load them is an error, not a silent fallback).
    func voiceActivity(for audio: AudioBuffer, options: PipelineOptions) throws -> VoiceActivity {
        var activity = voiceActivity
        guard options.voiceDetector == .silero else { return activity }
        let detector = SileroVoiceDetector(model: try SileroVoiceDetector.sharedModel(), options: options.sileroOptions)
        activity.speechGate = detector.speechRanges(audio)
        return activity
    }

    public func transcribe(_ audio: AudioBuffer, options: PipelineOptions = .init()) async throws -> Transcript {
        try await transcribe(audio, options: options, settled: nil)
    }

    /// As `transcribe(_:options:)`, handing `settled` each run of segments as soon as no later
    /// chunk can change it (a chunk may still trim its predecessor's overlap), for streamed answers.
    public func transcribe(_ audio: AudioBuffer, options: PipelineOptions,
                           settled: (@Sendable ([TranscriptSegment]) async throws -> Void)?) async throws -> Transcript {
        let activity = try voiceActivity(for: audio, options: options)
        var chunker = self.chunker
        if var pauses = chunker as? PauseChunker {
            pauses.voiceActivity = activity
            chunker = pauses
        }
        let chunks = chunker.chunks(of: audio, maxDuration: chunkDuration(options))
        let speech = options.skipSilentChunks || options.trimWordsToSpeech || options.dropSilentTail || options.recoverSkippedSpeech ? SpeechMap(audio, voiceActivity: activity) : nil
        var segments: [TranscriptSegment] = []
        var coverage: [ChunkCoverage] = []
        var language = options.recognition.language?.code ?? ""
        var languageProbability: Double?
        var firstFailure: (any Error)?
        let silent: (AudioChunk) -> Bool = { chunk in
            guard options.skipSilentChunks, let speech else { return false }
            return speech.seconds(in: chunk.startSample..<chunk.endSample) < options.minSpeechSeconds
        }
        // A pool of remote endpoints takes many chunks at once: decode them all first (results
        // by chunk index), then assemble in order below exactly as one at a time.
        let ahead = try await decodedAhead(chunks.filter { !silent($0) }, of: audio, options: options)
        // Where the previous chunk's segments begin in `segments`, for overlap dedupe after a hard cut.
        var previousStart = 0
        var handedOn = 0
        for chunk in chunks {
            try Task.checkCancellation()
            if let settled, previousStart > handedOn {
                try await settled(Array(segments[handedOn..<previousStart]))
                handedOn = previousStart
            }
            let offset = chunk.startSeconds(sampleRate: audio.sampleRate)
            let end = chunk.endSeconds(sampleRate: audio.sampleRate)
            if silent(chunk) {
                coverage.append(ChunkCoverage(start: offset, end: end, status: .empty, note: "silent (VAD): not sent to the model"))
                previousStart = segments.count
                continue
            }
            let decoded: Decoded
            var notes: [String] = []
            do {
                if let early = ahead[chunk.startSample] {
                    (decoded, notes) = try early.get()
                } else {
                    decoded = try await decode(piece(chunk, of: audio), at: offset, options: options, notes: &notes)
                }
            } catch let error as CancellationError {
                throw error
            } catch let error as RemoteEngineError where error.stopsBatch {
                throw error
            } catch {
                // One bad chunk must not cost the rest of the file; it is reported where it is.
                firstFailure = firstFailure ?? error
                coverage.append(ChunkCoverage(start: offset, end: end, status: .failed, note: "\(error)"))
                previousStart = segments.count
                continue
            }
            let recognition = decoded.recognition
            if language.isEmpty {
                language = recognition.language
                languageProbability = recognition.languageProbability
            }
            if recognition.recoveredLoop { notes.append("repetition loop stopped and re-decoded") }
            var status: ChunkStatus = decoded.segments.isEmpty ? .empty : recognition.status
            if let failure = decoded.alignmentFailure, !decoded.segments.isEmpty {
                notes.append("aligner failed (\(failure)); the text keeps the recogniser's times")
                if status == .ok { status = .unaligned }
            } else if options.recognition.wordTimestamps || options.align, !decoded.segments.isEmpty,
                      decoded.segments.allSatisfy({ $0.words.isEmpty }) {
                // A text-only engine (OpenAI-style service) and no aligner.
                notes.append("chunk-level times only: the engine gave no word times and no aligner ran")
            }
            guard !decoded.segments.isEmpty else {
                coverage.append(ChunkCoverage(start: offset, end: end, status: status, note: Self.joined(notes)))
                previousStart = segments.count
                continue
            }

            var shifted = decoded.segments
            if options.dropSilentTail, let speech {
                let silent = SilentTail.count(in: shifted, chunkEnd: end, speech: speech)
                if silent > 0 {
                    shifted = SilentTail.dropping(last: silent, from: shifted)
                    notes.append("\(silent) word\(silent == 1 ? "" : "s") decoded past the end of the speech dropped")
                    // The budget or the loop guard stopped the decoder after it had run past the
                    // audio: nothing spoken is missing.
                    if status == .truncated || status == .repetition { status = .ok }
                    if shifted.isEmpty { status = .empty }
                }
            }
            if options.dropPiledRepeats {
                let piled = PiledRepeat.runs(in: shifted)
                if !piled.isEmpty {
                    shifted = PiledRepeat.dropping(piled, from: shifted)
                    let count = piled.map(\.count).reduce(0, +)
                    notes.append("\(count) repeated word\(count == 1 ? "" : "s") piled on one spot dropped")
                    if shifted.isEmpty { status = .empty }
                }
            }
            if options.recoverSkippedSpeech, let speech {
                shifted = try await recoveringSkippedSpeech(in: shifted, of: audio, from: offset, to: end,
                                                            speech: speech, options: options, notes: &notes)
            }
            switch status {
            case .truncated: notes.append("token budget reached: the text may stop early")
            case .repetition: notes.append("decoding looped; the looping tail was cut off")
            default: break
            }
            coverage.append(ChunkCoverage(start: offset, end: end, status: status, note: Self.joined(notes)))
            if options.trimWordsToSpeech, let speech {
                shifted = shifted.trimmedToSpeech(speech, pad: options.speechPad)
            }
            if chunk.overlapSamples > 0 {
                let boundary = Double(chunk.startSample + chunk.overlapSamples / 2) / Double(audio.sampleRate)
                let previous = ChunkMerger.keepingBefore(boundary, Array(segments[previousStart...]))
                segments.removeSubrange(previousStart...)
                segments += previous
                shifted = ChunkMerger.keepingFrom(boundary, shifted)
                // Without word times only the text can tell what both chunks heard.
                if let last = previous.last, last.words.isEmpty, let first = shifted.first, first.words.isEmpty {
                    shifted[0].text = ChunkMerger.droppingRepeatedPrefix(of: first.text, after: last.text)
                    if shifted[0].text.isEmpty { shifted.removeFirst() }
                }
            }
            previousStart = segments.count
            segments += shifted
        }
        // Every chunk failed: that is the engine's failure, not partial output.
        if let firstFailure, coverage.allSatisfy({ $0.status == .failed || $0.note?.hasPrefix("silent") == true }) {
            throw firstFailure
        }
        if let settled, segments.count > handedOn { try await settled(Array(segments[handedOn...])) }
        return Transcript(language: language, duration: audio.duration, segments: segments, chunks: coverage,
                          languageProbability: languageProbability)
    }

    func piece(_ chunk: AudioChunk, of audio: AudioBuffer) -> AudioBuffer {
        AudioBuffer(samples: Array(audio.samples[chunk.startSample..<chunk.endSample]), sampleRate: audio.sampleRate)
    }

    /// `chunks` decoded `recognizer.concurrentCalls` at a time, keyed by start sample; empty when the
    /// recogniser takes one call at a time (the loop then decodes as it goes). A failure stays with
    /// its chunk, except one that stops the batch (every endpoint down), which ends the file now.
    func decodedAhead(_ chunks: [AudioChunk], of audio: AudioBuffer, options: PipelineOptions) async throws
        -> [Int: Result<(Decoded, [String]), any Error>] {
        let width = recognizer?.concurrentCalls ?? 1
        guard width > 1, chunks.count > 1 else { return [:] }
        return try await withThrowingTaskGroup(of: (Int, Result<(Decoded, [String]), any Error>).self) { group in
            var results: [Int: Result<(Decoded, [String]), any Error>] = [:]
            var next = 0
            func add() {
                guard next < chunks.count else { return }
                let chunk = chunks[next]
                next += 1
                let piece = piece(chunk, of: audio), offset = chunk.startSeconds(sampleRate: audio.sampleRate)
                group.addTask {
                    var notes: [String] = []
                    do {
                        let decoded = try await decode(piece, at: offset, options: options, notes: &notes)
                        return (chunk.startSample, .success((decoded, notes)))
                    } catch let error as RemoteEngineError where error.stopsBatch {
                        throw error
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        return (chunk.startSample, .failure(error))
                    }
                }
            }
            for _ in 0..<width { add() }
            while let (start, result) = try await group.next() {
                results[start] = result
                add()
            }
            return results
        }
    }

    /// One piece's recognition and its timed segments in file time (`offset` is the piece's start);
    /// no segments when the text holds no letter or digit.
    struct Decoded {
        var recognition: Recognition
        var segments: [TranscriptSegment]
        /// Why the aligner failed on this piece; the segments then carry the recogniser's own times.
        var alignmentFailure: String?
    }

    func decode(_ piece: AudioBuffer, at offset: Double, options: PipelineOptions, notes: inout [String]) async throws -> Decoded {
        let recognition = try await recognize(piece, options: options, notes: &notes)
        let text = recognition.text.trimmingWhitespace()
        // Punctuation alone (Whisper's " ." on noise) is no speech.
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else { return Decoded(recognition: recognition, segments: []) }
        var segments = recognition.segments.isEmpty
            ? [TranscriptSegment(start: 0, end: piece.duration, text: text)]
            : recognition.segments
        var alignmentFailure: String?
        if options.align, let aligner, let spoken = Language.known.first(where: { $0.code == recognition.language }) ?? options.recognition.language
            ?? AlignmentLanguage.guess(for: text) {
            // The aligner times the piece's whole text; its words replace the engine's own. When it
            // fails the text stays (as the original pipeline keeps it): a transcript without word
            // times is worth more than none.
            do {
                let words = try await aligner.align(piece, text: text, language: spoken)
                segments = [TranscriptSegment(
                    start: words.first?.start ?? 0, end: words.last?.end ?? piece.duration, text: text, words: words)]
            } catch let error as CancellationError {
                throw error
            } catch {
                // Every aligner endpoint down included: the text is worth keeping (`unaligned`).
                alignmentFailure = "\(error)"
            }
        }
        return Decoded(recognition: recognition, segments: segments.map { $0.shifted(by: offset) }, alignmentFailure: alignmentFailure)
    }

    /// `segments` (one chunk's, file time, `start..<end`) with the speech they skipped decoded again
    /// (`SkippedSpeech`); a stretch whose decode fails or finds nothing is left as it was.
    func recoveringSkippedSpeech(in segments: [TranscriptSegment], of audio: AudioBuffer, from start: Double, to end: Double,
                                 speech: SpeechMap, options: PipelineOptions, notes: inout [String]) async throws -> [TranscriptSegment] {
        guard !segments.isEmpty, segments.allSatisfy({ !$0.words.isEmpty }) else { return segments }
        var result = segments
        var added = 0, stretches = 0
        for stretch in SkippedSpeech.stretches(of: segments.flatMap(\.words), from: start, to: end, speech: speech) {
            let first = Int(stretch.window.lowerBound * Double(audio.sampleRate))
            let last = min(audio.samples.count, Int(stretch.window.upperBound * Double(audio.sampleRate)))
            guard last > first else { continue }
            let piece = AudioBuffer(samples: Array(audio.samples[first..<last]), sampleRate: audio.sampleRate)
            var ignored: [String] = []
            var found: [TranscriptSegment]
            do {
                found = try await decode(piece, at: stretch.window.lowerBound, options: options, notes: &ignored).segments
            } catch let error as CancellationError {
                throw error
            } catch let error as RemoteEngineError where error.stopsBatch {
                throw error
            } catch {
                continue
            }
            if options.dropSilentTail {
                found = SilentTail.dropping(last: SilentTail.count(in: found, chunkEnd: stretch.window.upperBound, speech: speech), from: found)
            }
            let existing = result.flatMap(\.words)
            found = SkippedSpeech.newWords(in: found.filter { !$0.words.isEmpty }, for: stretch,
                                           before: existing.last { $0.start < stretch.speech.lowerBound },
                                           after: existing.first { $0.start >= stretch.speech.upperBound })
            guard !found.isEmpty else { continue }
            stretches += 1
            added += found.reduce(0) { $0 + $1.words.count }
            result = SkippedSpeech.inserting(found, into: result)
        }
        if added > 0 {
            notes.append("\(added) word\(added == 1 ? "" : "s") recovered from \(stretches) stretch\(stretches == 1 ? "" : "es") of speech the decoder skipped")
        }
        return result
    }

    static func joined(_ notes: [String]) -> String? { notes.isEmpty ? nil : notes.joined(separator: "; ") }

    /// One recogniser call with the context-echo guard: output that repeats a long context verbatim
    /// is replaced by a decode without the context.
    func recognize(_ piece: AudioBuffer, options: PipelineOptions, notes: inout [String]) async throws -> Recognition {
        guard let recognizer else { throw PipelineError.noRecognizer }
        let first = try await recognizer.transcribe(piece, options: options.recognition)
        guard options.contextEchoMinWords > 0, let context = options.recognition.contextText,
              ContextEcho.isEcho(first.text, context: context, minWords: options.contextEchoMinWords) else { return first }
        var plain = options.recognition
        plain.context = nil
        notes.append("context echoed into the text: re-decoded without the context")
        return try await recognizer.transcribe(piece, options: plain)
    }

    /// Times for a known text: the aligner over the whole audio, in one call, each word then trimmed
    /// to its speech as `options`' voice detector hears it. Without an aligner, the recogniser's own
    /// word times carried over to the text (`WordTimeTransfer`; its words went through `transcribe`'s
    /// guards and speech trimming already); a recogniser without word times leaves
    /// `PipelineError.noAligner`. Only the voice-detector and speech-trim fields of `options` apply.
    public func align(_ audio: AudioBuffer, text: String, language: Language,
                      options: PipelineOptions = .init()) async throws -> Transcript {
        guard let aligner else { return try await alignFromRecognizedWords(audio, text: text, language: language, options: options) }
        let words = try await aligner.align(audio, text: text, language: language)
        var segment = TranscriptSegment(start: words.first?.start ?? 0, end: words.last?.end ?? audio.duration,
                                        text: text, words: words)
        if options.trimWordsToSpeech, !words.isEmpty {
            let speech = SpeechMap(audio, voiceActivity: try voiceActivity(for: audio, options: options))
            segment = [segment].trimmedToSpeech(speech, pad: options.speechPad)[0]
        }
        return Transcript(language: language.code, duration: audio.duration, segments: text.isEmpty ? [] : [segment])
    }

    private func alignFromRecognizedWords(_ audio: AudioBuffer, text: String, language: Language,
                                          options listening: PipelineOptions) async throws -> Transcript {
        guard recognizer != nil else { throw PipelineError.noAligner }
        var options = listening
        options.recognition = RecognitionOptions(language: language, wordTimestamps: true)
        options.align = true
        let recognized = try await transcribe(audio, options: options)
        guard !recognized.words.isEmpty else { throw PipelineError.noAligner }
        let units = WordTimeTransfer.units(of: text, language: language)
        let words = WordTimeTransfer.transfer(units, onto: recognized.words, language: language, duration: audio.duration)
        let segment = TranscriptSegment(start: words.first?.start ?? 0, end: words.last?.end ?? audio.duration, text: text, words: words)
        return Transcript(language: language.code, duration: audio.duration, segments: [segment])
    }
}

extension TranscriptSegment {
    /// The same segment `seconds` later (chunk offset → file time).
    public func shifted(by seconds: Double) -> TranscriptSegment {
        TranscriptSegment(
            start: start + seconds, end: end + seconds, text: text,
            words: words.map {
                var word = $0
                word.start += seconds
                word.end += seconds
                return word
            })
    }
}
