import ScribaAudio

/// What one pipeline run is asked for.
public struct PipelineOptions: Sendable, Equatable {
    public var recognition: RecognitionOptions
    /// Run the forced aligner (when there is one) on each chunk's text for word times.
    public var align: Bool
    /// Longest chunk in seconds; nil: the smaller of the recogniser's and the aligner's limits.
    public var maxChunkDuration: Double?

    public init(recognition: RecognitionOptions = .init(), align: Bool = true, maxChunkDuration: Double? = nil) {
        self.recognition = recognition
        self.align = align
        self.maxChunkDuration = maxChunkDuration
    }
}

/// Audio in, `Transcript` out: chunk → recognise → align → shift every time by its chunk's true
/// start sample → merge. Commands and the server call this; engines never see offsets.
public struct TranscriptionPipeline: Sendable {
    public let recognizer: any SpeechRecognizer
    public let aligner: (any ForcedAligner)?
    public let chunker: any AudioChunker

    public init(recognizer: any SpeechRecognizer, aligner: (any ForcedAligner)? = nil,
                chunker: any AudioChunker = PauseChunker()) {
        self.recognizer = recognizer
        self.aligner = aligner
        self.chunker = chunker
    }

    public func chunkDuration(_ options: PipelineOptions) -> Double {
        var limit = options.maxChunkDuration ?? recognizer.maxChunkDuration
        if options.align, let aligner { limit = min(limit, aligner.maxChunkDuration) }
        return limit
    }

    public func transcribe(_ audio: AudioBuffer, options: PipelineOptions = .init()) async throws -> Transcript {
        let chunks = chunker.chunks(of: audio, maxDuration: chunkDuration(options))
        var segments: [TranscriptSegment] = []
        var coverage: [ChunkCoverage] = []
        var language = options.recognition.language?.code ?? ""
        // Where the previous chunk's segments begin in `segments`, for overlap dedupe after a hard cut.
        var previousStart = 0
        for chunk in chunks {
            try Task.checkCancellation()
            let piece = AudioBuffer(samples: Array(audio.samples[chunk.startSample..<chunk.endSample]),
                                    sampleRate: audio.sampleRate)
            let offset = chunk.startSeconds(sampleRate: audio.sampleRate)
            let end = chunk.endSeconds(sampleRate: audio.sampleRate)
            let recognition = try await recognizer.transcribe(piece, options: options.recognition)
            if language.isEmpty { language = recognition.language }
            let text = recognition.text.trimmingWhitespace()
            coverage.append(ChunkCoverage(start: offset, end: end, status: text.isEmpty ? .empty : .ok))
            guard !text.isEmpty else {
                previousStart = segments.count
                continue
            }

            var chunkSegments = recognition.segments.isEmpty
                ? [TranscriptSegment(start: 0, end: piece.duration, text: text)]
                : recognition.segments
            if options.align, let aligner, let spoken = Language.known.first(where: { $0.code == recognition.language }) ?? options.recognition.language {
                // The aligner times the chunk's whole text; its words replace the engine's own.
                let words = try await aligner.align(piece, text: text, language: spoken)
                chunkSegments = [TranscriptSegment(
                    start: words.first?.start ?? 0, end: words.last?.end ?? piece.duration, text: text, words: words)]
            }
            var shifted = chunkSegments.map { $0.shifted(by: offset) }
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
        return Transcript(language: language, duration: audio.duration, segments: segments, chunks: coverage)
    }

    /// Times for a known text (no recognition): the aligner over the whole audio, in one call.
    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> Transcript {
        guard let aligner else { throw PipelineError.noAligner }
        let words = try await aligner.align(audio, text: text, language: language)
        let segment = TranscriptSegment(start: words.first?.start ?? 0, end: words.last?.end ?? audio.duration,
                                        text: text, words: words)
        return Transcript(language: language.code, duration: audio.duration, segments: text.isEmpty ? [] : [segment])
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
