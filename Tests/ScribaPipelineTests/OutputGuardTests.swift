import Foundation
import Testing
import ScribaAudio
import ScribaModels
@testable import ScribaPipeline
import ScribaTestSupport

// The output guards with test engines: loop detection and recovery, context echo, silent chunks,
// per-chunk statuses and their counting in the batch report.

/// A greedy "decoder" over scripted scores, run with the library's repetition guard: the favourite
/// after token 3 is token 2 again (a C D C D … loop); the runner-up is the script's next token.
/// With `stubborn` the retry ignores the no-repeat constraint (a loop nothing breaks).
private struct ScriptedLoopRecognizer: SpeechRecognizer {
    let modelName = "scripted-loop"
    let maxChunkDuration = 30.0
    let stubborn: Bool
    /// A B C D E F G, end.
    static let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
    static let end = 7

    /// Decodes; returns ids and the index at which the guard fired (nil: no loop).
    static func decode(options: RepetitionGuardOptions, noRepeat: Int?, budget: Int) -> (ids: [Int], loopAt: Int?) {
        var detector = RepetitionDetector(options: options)
        var ids: [Int] = []
        var scores = [Float](repeating: 0, count: end + 1)
        while ids.count < budget {
            for i in scores.indices { scores[i] = 0 }
            let next = ids.last.map { $0 + 1 } ?? 0
            scores[min(next, end)] = 1
            if ids.last == 3 { scores[2] = 2 }
            scores.withUnsafeMutableBufferPointer { row in
                if let noRepeat { NoRepeatNgram.apply(size: noRepeat, sequence: ids[...], to: row) }
            }
            let token = scores.indices.max { scores[$0] < scores[$1] }!
            if token == end { return (ids, nil) }
            ids.append(token)
            if detector.push(token, position: ids.count - 1) {
                let at = ids.count - 1
                ids.removeSubrange((detector.loopStart ?? ids.count)...)
                return (ids, at)
            }
        }
        return (ids, nil)
    }

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let guardOptions = options.repetitionGuard
        var (ids, loopAt) = Self.decode(options: guardOptions, noRepeat: nil, budget: 200)
        var recovered = false
        if loopAt != nil {
            (ids, loopAt) = Self.decode(options: guardOptions, noRepeat: stubborn ? nil : guardOptions.retryNoRepeatNgramSize, budget: 200)
            recovered = loopAt == nil
        }
        let text = ids.map { Self.words[$0] }.joined(separator: " ")
        return Recognition(language: "en", text: text, segments: [], status: loopAt == nil ? .ok : .repetition, recoveredLoop: recovered)
    }
}

/// Hears "the meeting starts now"; when given a context, writes it first (the known leak).
private struct LeakyRecognizer: SpeechRecognizer {
    let modelName = "leaky"
    let maxChunkDuration = 30.0
    static let speech = "The meeting starts now."
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let text = options.contextText.map { "\($0) \(Self.speech)" } ?? Self.speech
        return Recognition(language: "en", text: text, segments: [])
    }
}

/// Counts calls; says "words" on any audio; fails on chunks whose first sample is 0.5; reports a
/// chunk as truncated when its first sample is 0.25.
private final class CountingRecognizer: SpeechRecognizer, @unchecked Sendable {
    let modelName = "counting"
    let maxChunkDuration = 10.0
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.withLock { count } }
    struct Broken: Error, CustomStringConvertible { var description: String { "engine broke on this chunk" } }
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        lock.withLock { count += 1 }
        if audio.samples.first == 0.5 { throw Broken() }
        return Recognition(language: "en", text: "words", segments: [], status: audio.samples.first == 0.25 ? .truncated : .ok)
    }
}

struct OutputGuardTests {
    /// 10 s chunks of a loud square-ish signal, or digital silence, at 1 kHz.
    func blocks(_ values: [Float?]) -> AudioBuffer {
        var samples: [Float] = []
        for value in values {
            for i in 0..<10_000 { samples.append(value.map { i % 2 == 0 ? $0 : -$0 } ?? 0) }
        }
        return AudioBuffer(samples: samples, sampleRate: 1_000)
    }

    @Test func detectorFiresWithinTheWindowOnALoopButNotOnSpeech() {
        let options = RepetitionGuardOptions()
        // 20 distinct tokens, then "I think" (100, 101) forever.
        var detector = RepetitionDetector(options: options)
        var firedAt: Int?
        let stream = Array(0..<20) + Array(repeating: [100, 101], count: 200).flatMap { $0 }
        for (index, token) in stream.enumerated() where detector.push(token, position: index) {
            firedAt = index
            break
        }
        // 4-gram "I think I think" 5 times: 4 + 4 × 2 tokens into the loop.
        #expect(firedAt == 20 + 4 + 4 * 2 - 1)
        #expect(detector.loopStart == 22, "keeps the first 'I think', cuts the rest")

        // A sentence-length loop (period 30) is found too, within 5 periods.
        var long = RepetitionDetector(options: options)
        let sentence = Array(500..<530)
        let looping = Array(repeating: sentence, count: 10).flatMap { $0 }
        let at = looping.indices.first { long.push(looping[$0], position: $0) }
        #expect(at != nil && at! < 4 * 30 + 4)

        // Text-like stream: frequent function words ("the", "of", "and" = 1, 2, 3) between content
        // words, common bigrams repeating — no 4-gram 5 times, so no alarm.
        var rng = SplitMix64(seed: 5)
        var speech = RepetitionDetector(options: options)
        var fired = false
        for index in 0..<2_000 {
            let token = index % 3 == 0 ? Int.random(in: 1...3, using: &rng) : Int.random(in: 10...5_000, using: &rng)
            if speech.push(token, position: index) { fired = true }
        }
        #expect(!fired)
        // Disabled: never fires.
        var off = RepetitionDetector(options: .disabled)
        #expect(!stream.indices.contains { off.push(stream[$0], position: $0) })
    }

    @Test func noRepeatNgramBansTheTokenThatWouldRepeat() {
        var row: [Float] = [0, 0, 0, 0, 0]
        row.withUnsafeMutableBufferPointer { NoRepeatNgram.apply(size: 3, sequence: [1, 2, 3, 1, 2][...], to: $0) }
        // "1 2" was followed by 3 before: 3 is banned, nothing else.
        #expect(row == [0, 0, 0, -.infinity, 0])
    }

    @Test func aLoopingDecoderIsStoppedAndRecovered() async throws {
        let pipeline = TranscriptionPipeline(recognizer: ScriptedLoopRecognizer(stubborn: false), chunker: FixedWindowChunker())
        let audio = AudioBuffer(samples: [Float](repeating: 0.3, count: 16_000), sampleRate: 16_000)
        // Without the guard the greedy path runs to the budget: 200 tokens of "charlie delta".
        let unguarded = ScriptedLoopRecognizer.decode(options: .disabled, noRepeat: nil, budget: 200)
        #expect(unguarded.ids.count == 200)
        let first = ScriptedLoopRecognizer.decode(options: .init(), noRepeat: nil, budget: 200)
        #expect(first.loopAt == 13 && first.ids == [0, 1, 2, 3], "stopped 10 tokens into the loop, one 'charlie delta' kept")

        let transcript = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(align: false)))
        #expect(transcript.text == "alpha bravo charlie delta charlie delta echo foxtrot golf")
        #expect(transcript.chunks?.map(\.status) == [.ok])
        #expect(transcript.chunks?.first?.note == "repetition loop stopped and re-decoded")
        #expect(transcript.isComplete)
    }

    @Test func aLoopThatSurvivesTheRetryIsFlaggedAndCut() async throws {
        let pipeline = TranscriptionPipeline(recognizer: ScriptedLoopRecognizer(stubborn: true), chunker: FixedWindowChunker())
        let audio = AudioBuffer(samples: [Float](repeating: 0.3, count: 16_000), sampleRate: 16_000)
        let transcript = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(align: false)))
        #expect(transcript.text == "alpha bravo charlie delta")
        #expect(transcript.chunks?.map(\.status) == [.repetition])
        #expect(!transcript.isComplete && transcript.partialChunks.count == 1)
    }

    @Test func contextEchoedIntoTheTextIsDecodedAgainWithoutIt() async throws {
        let pipeline = TranscriptionPipeline(recognizer: LeakyRecognizer(), chunker: FixedWindowChunker())
        let audio = AudioBuffer(samples: [Float](repeating: 0.3, count: 16_000), sampleRate: 16_000)
        let context = "Agenda: quarterly budget review, Dr. Okonkwo"
        let echoed = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(recognition: .init(context: context), align: false)))
        #expect(echoed.text == LeakyRecognizer.speech)
        #expect(echoed.chunks?.first?.note == "context echoed into the text: re-decoded without the context")
        // A one-word hotword in the text is what a context is for: kept.
        let hotword = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(recognition: .init(context: "Okonkwo"), align: false)))
        #expect(hotword.text == "Okonkwo The meeting starts now.")
        // Guard off: the echo stays.
        let off = try await pipeline.transcribe(
            audio, options: byEnergy(PipelineOptions(recognition: .init(context: context), align: false, contextEchoMinWords: 0)))
        #expect(off.text.hasPrefix("Agenda: quarterly"))
        #expect(ContextEcho.isEcho("so, agenda quarterly budget review dr okonkwo!", context: context, minWords: 4))
        #expect(!ContextEcho.isEcho("agenda quarterly budget", context: context, minWords: 4))
        #expect(ContextEcho.isEcho("会议议程：预算审查。然后", context: "议程预算审查", minWords: 4))
    }

    @Test func silentChunksAreNotSentAndFailuresAndTruncationAreReportedPerChunk() async throws {
        let engine = CountingRecognizer()
        let pipeline = TranscriptionPipeline(recognizer: engine, chunker: FixedWindowChunker())
        // Speech, silence, a chunk the engine fails on, a truncated chunk, silence.
        let audio = blocks([0.3, nil, 0.5, 0.25, nil])
        let transcript = try await pipeline.transcribe(audio, options: byEnergy(PipelineOptions(align: false)))
        #expect(engine.calls == 3)
        #expect(transcript.chunks?.map(\.status) == [.ok, .empty, .failed, .truncated, .empty])
        #expect(transcript.chunks?[1].note == "silent (VAD): not sent to the model")
        #expect(transcript.chunks?[2].note == "engine broke on this chunk")
        #expect(transcript.partialChunks.map(\.start) == [20, 30])
        #expect(transcript.text == "words words")

        // Counted in the batch report.
        let report = FileReport(input: "a.wav", status: .ok, audioSeconds: 50, processingSeconds: 1, outputs: [], chunks: transcript.chunks)
        #expect(report.chunkStatuses == ["ok": 1, "empty": 2, "failed": 1, "truncated": 1] && report.isPartial)
        let clean = FileReport(input: "b.wav", status: .ok, audioSeconds: 10, processingSeconds: 1, outputs: [],
                               chunks: [ChunkCoverage(start: 0, end: 10, status: .ok)])
        let batch = BatchReport(fileReports: [report, clean], wallSeconds: 2, settings: "")
        #expect(batch.partial == 1 && batch.chunkStatuses == ["ok": 2, "empty": 2, "failed": 1, "truncated": 1])
        let decoded = try BatchReport.decoded(try batch.encoded())
        #expect(decoded.fileReports[0].partialChunks?.map(\.status) == [.failed, .truncated])

        // With the silence skip off, the engine hears every chunk.
        let all = CountingRecognizer()
        _ = try await TranscriptionPipeline(recognizer: all, chunker: FixedWindowChunker())
            .transcribe(audio, options: byEnergy(PipelineOptions(align: false, skipSilentChunks: false)))
        #expect(all.calls == 5)
    }

    @Test func anEngineFailingOnEveryChunkIsAnError() async {
        let pipeline = TranscriptionPipeline(recognizer: CountingRecognizer(), chunker: FixedWindowChunker())
        await #expect(throws: CountingRecognizer.Broken.self) {
            try await pipeline.transcribe(blocks([0.5, nil, 0.5]), options: byEnergy(PipelineOptions(align: false)))
        }
    }
}
