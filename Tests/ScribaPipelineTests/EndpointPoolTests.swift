import Foundation
import Synchronization
import Testing
import ScribaAudio
@testable import ScribaPipeline

/// A recogniser that answers "chunk@<start sample>" after a delay, or fails as told; counts calls.
final class FakeEndpoint: SpeechRecognizer {
    let delay: Double
    let failure: RemoteEngineError?
    private let calls = Mutex(0)
    private let running = Mutex((now: 0, peak: 0))

    init(delay: Double = 0.01, failure: RemoteEngineError? = nil) {
        self.delay = delay
        self.failure = failure
    }

    var modelName: String { "fake" }
    var maxChunkDuration: Double { 2 }
    var count: Int { calls.withLock { $0 } }
    var peak: Int { running.withLock { $0.peak } }

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        calls.withLock { $0 += 1 }
        running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
        defer { running.withLock { $0.now -= 1 } }
        try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        if let failure { throw failure }
        // The first sample tells which chunk this is (the test audio is a ramp).
        let text = "chunk\(Int((audio.samples.first ?? 0) * 16_000))"
        return Recognition(language: "en", text: text, segments: [TranscriptSegment(start: 0, end: audio.duration, text: text)])
    }
}

struct EndpointPoolTests {
    static let down = RemoteEngineError.connectionFailed(url: "http://down", reason: "refused")
    static let fast = EndpointPoolOptions(inflight: 2, backoff: 0.05, maxBackoff: 0.2, outagesBeforeGivingUp: 3)

    static func pool(_ engines: [FakeEndpoint], options: EndpointPoolOptions = fast) -> PooledRecognizer {
        PooledRecognizer(engines, pool: EndpointPool(engines.indices.map { EndpointReport(url: "e\($0)", api: "scriba", role: "asr") }, options: options))
    }

    /// 20 s of a ramp (sample i = i / 16000), so each 2 s chunk names its own start.
    static let ramp = AudioBuffer(samples: (0..<320_000).map { Float($0) / 16_000 }, sampleRate: 16_000)
    static let plain = PipelineOptions(skipSilentChunks: false, trimWordsToSpeech: false, dropSilentTail: false, recoverSkippedSpeech: false)

    @Test func chunksComeBackInOrderWithTheirOffsetsFromManyEndpoints() async throws {
        let engines = [FakeEndpoint(delay: 0.03), FakeEndpoint(delay: 0.01), FakeEndpoint(delay: 0.02)]
        let pooled = Self.pool(engines)
        #expect(pooled.concurrentCalls == 6)
        let spread = try await TranscriptionPipeline(recognizer: pooled, chunker: FixedWindowChunker()).transcribe(Self.ramp, options: Self.plain)
        let single = try await TranscriptionPipeline(recognizer: FakeEndpoint(), chunker: FixedWindowChunker()).transcribe(Self.ramp, options: Self.plain)
        #expect(spread.segments.count == 10)
        #expect(spread == single)
        #expect(spread.segments.map(\.text) == (0..<10).map { "chunk\($0 * 32_000)" })
        #expect(spread.segments.map(\.start) == (0..<10).map { Double($0) * 2 })
        #expect(engines.allSatisfy { $0.count > 0 })
        #expect(engines.allSatisfy { $0.peak <= 2 }, "at most --inflight per endpoint")
    }

    @Test func aDeadEndpointsChunksGoToTheOthers() async throws {
        let dead = FakeEndpoint(failure: Self.down), alive = FakeEndpoint()
        let pooled = Self.pool([dead, alive])
        let transcript = try await TranscriptionPipeline(recognizer: pooled, chunker: FixedWindowChunker()).transcribe(Self.ramp, options: Self.plain)
        #expect(transcript.isComplete)
        #expect(transcript.segments.count == 10)
        let reports = await pooled.pool.reports
        #expect(reports[0].chunks == 0 && reports[0].failures > 0 && reports[0].outages >= 1)
        #expect(reports[1].chunks == 10 && reports[1].failures == 0)
        #expect(reports[1].meanLatencySeconds ?? 0 > 0)
    }

    @Test func a4xxIsTheChunksOwnErrorAndNotRetriedElsewhere() async throws {
        let refusing = FakeEndpoint(failure: .rejected(url: "e0", status: 400, message: "bad audio")), other = FakeEndpoint(delay: 0.5)
        let pooled = Self.pool([refusing, other], options: EndpointPoolOptions(inflight: 1))
        let audio = AudioBuffer(samples: [Float](repeating: 0.1, count: 1600), sampleRate: 16_000)
        await #expect(throws: RemoteEngineError.rejected(url: "e0", status: 400, message: "bad audio")) {
            try await pooled.transcribe(audio, options: .init())
        }
        #expect(refusing.count == 1 && other.count == 0)
        #expect(await pooled.pool.reports[0].rejected == 1)
    }

    @Test func everyEndpointDownStopsWithAllEndpointsDown() async throws {
        let pooled = Self.pool([FakeEndpoint(failure: Self.down), FakeEndpoint(failure: .serverError(url: "e1", status: 503, message: ""))])
        await #expect(throws: RemoteEngineError.self) {
            _ = try await TranscriptionPipeline(recognizer: pooled, chunker: FixedWindowChunker()).transcribe(Self.ramp, options: Self.plain)
        }
        do {
            _ = try await pooled.transcribe(Self.ramp, options: .init())
        } catch let error as RemoteEngineError {
            #expect(error.stopsBatch)
        }
        let reports = await pooled.pool.reports
        #expect(reports.allSatisfy { $0.givenUp && $0.outages == 3 })
    }

    @Test func anEndpointBackAfterItsBackoffGetsWorkAgain() async throws {
        // Fails twice (two outages), then answers: below the give-up count, so it serves again.
        final class Flaky: SpeechRecognizer {
            let left = Mutex(2)
            var modelName: String { "flaky" }
            var maxChunkDuration: Double { 2 }
            func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
                if left.withLock({ value in defer { value -= 1 }; return value > 0 }) { throw EndpointPoolTests.down }
                return Recognition(language: "en", text: "ok", segments: [])
            }
        }
        let pooled = PooledRecognizer([Flaky()], pool: EndpointPool([EndpointReport(url: "e0", api: "scriba", role: "asr")], options: Self.fast))
        let recognition = try await pooled.transcribe(Self.ramp, options: .init())
        #expect(recognition.text == "ok")
        let report = await pooled.pool.reports[0]
        #expect(report.outages == 2 && report.chunks == 1 && !report.givenUp)
    }
}
