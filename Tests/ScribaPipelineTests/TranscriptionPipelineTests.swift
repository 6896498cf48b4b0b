import Testing
import ScribaAudio
@testable import ScribaPipeline

/// Recognises a chunk as the index of its first sample (so offsets are checkable) and reports one
/// segment from 0.5 s to the chunk end; silence (all zeros) gives empty text.
private struct EchoRecognizer: SpeechRecognizer {
    let modelName = "echo"
    let maxChunkDuration: Double
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        guard let first = audio.samples.first, first != 0 else { return Recognition(language: "", text: "", segments: []) }
        let text = "chunk \(Int(first))"
        return Recognition(language: options.language?.code ?? "en", text: text,
                           segments: [TranscriptSegment(start: 0.5, end: audio.duration, text: text)])
    }
}

/// One word per space-separated token, each 0.25 s long starting at 0.1 s.
private struct EvenAligner: ForcedAligner {
    let modelName = "even"
    let maxChunkDuration: Double = 100
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        text.split(separator: " ").enumerated().map { i, word in
            TimedWord(text: String(word), start: 0.1 + 0.25 * Double(i), end: 0.35 + 0.25 * Double(i))
        }
    }
}

struct TranscriptionPipelineTests {
    /// 25 s at 100 Hz where every sample holds the index of the second it lies in (+1), so a chunk's
    /// first sample names where it starts.
    func ramp(seconds: Int = 25, silentFrom: Int? = nil) -> AudioBuffer {
        let samples = (0..<(seconds * 100)).map { i -> Float in
            if let silentFrom, i >= silentFrom * 100 { return 0 }
            return Float(i + 1)
        }
        return AudioBuffer(samples: samples, sampleRate: 100)
    }

    @Test func chunksAreEqualAndCoverEverySample() {
        let chunks = FixedWindowChunker().chunks(of: ramp(), maxDuration: 10)
        // 2500 samples, ≤ 1000 each → 3 chunks of 834, 834, 832.
        #expect(chunks.map(\.sampleCount) == [834, 834, 832])
        #expect(chunks.first?.startSample == 0 && chunks.last?.endSample == 2500)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.endSample == b.startSample) }
    }

    @Test func segmentsAreShiftedByEachChunksTrueStart() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(ramp(), options: PipelineOptions(align: false))
        #expect(transcript.segments.map(\.text) == ["chunk 1", "chunk 835", "chunk 1669"])
        #expect(transcript.segments.map(\.start) == [0.5, 8.84, 17.18])
        #expect(transcript.segments.last?.end == 25)
        #expect(transcript.duration == 25)
        #expect(transcript.language == "en")
        #expect(transcript.chunks?.map(\.status) == [.ok, .ok, .ok])
    }

    @Test func silentChunksAreMarkedEmptyAndProduceNoSegment() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(ramp(silentFrom: 8), options: PipelineOptions(align: false))
        #expect(transcript.chunks?.map(\.status) == [.ok, .empty, .empty])
        #expect(transcript.chunks?.map(\.start) == [0, 8.34, 16.68])
        #expect(transcript.segments.count == 1)
    }

    @Test func alignerWordsReplaceEngineSegmentsAndAreOffset() async throws {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), aligner: EvenAligner(), chunker: FixedWindowChunker())
        let transcript = try await pipeline.transcribe(ramp(), options: PipelineOptions(recognition: .init(language: Language.known[1])))
        let words = transcript.words
        #expect(words.map(\.text) == ["chunk", "1", "chunk", "835", "chunk", "1669"])
        #expect(words.map(\.start) == [0.1, 0.35, 8.44, 8.69, 16.78, 17.03].map { $0 })
        #expect(transcript.segments[1].start == 8.44)
    }

    @Test func aligningWithoutAnAlignerIsAClearError() async {
        let pipeline = TranscriptionPipeline(recognizer: EchoRecognizer(maxChunkDuration: 10), chunker: FixedWindowChunker())
        await #expect(throws: PipelineError.noAligner) {
            try await pipeline.align(ramp(), text: "hello", language: Language.known[1])
        }
    }
}
