import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

@Suite struct ConcurrencyLimiterTests {
    /// Polls until the limiter shows the expected load (tasks start asynchronously).
    func waitFor(_ limiter: ConcurrencyLimiter, running: Int, waiting: Int) async throws {
        for _ in 0..<2000 {
            let load = await limiter.load
            if load.running == running && load.waiting == waiting { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("limiter never reached running \(running), waiting \(waiting): \(await limiter.load)")
    }

    @Test func queuesUpToTheBoundThenRejectsWithBusy() async throws {
        let limiter = ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 1, retryAfterSeconds: 3)
        let gate = Gate()
        let first = Task { try await limiter.withPermit { await gate.wait(); return 1 } }
        try await waitFor(limiter, running: 1, waiting: 0)
        let second = Task { try await limiter.withPermit { 2 } }
        try await waitFor(limiter, running: 1, waiting: 1)
        await #expect(throws: ServerError.busy(retryAfterSeconds: 3)) {
            try await limiter.withPermit { 3 }
        }
        await gate.open()
        #expect(try await first.value == 1)
        #expect(try await second.value == 2)
        try await waitFor(limiter, running: 0, waiting: 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let limiter = ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 1)
        let gate = Gate()
        let first = Task { try await limiter.withPermit { await gate.wait() } }
        try await waitFor(limiter, running: 1, waiting: 0)
        let waiter = Task { try await limiter.withPermit { "ran" } }
        try await waitFor(limiter, running: 1, waiting: 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        try await waitFor(limiter, running: 1, waiting: 0)
        await gate.open()
        try await first.value
        try await waitFor(limiter, running: 0, waiting: 0)
    }

    @Test func aFailingBodyReleasesItsSlot() async throws {
        let limiter = ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 0)
        await #expect(throws: EngineFailure.self) { try await limiter.withPermit { throw EngineFailure() } }
        #expect(try await limiter.withPermit { 5 } == 5)
    }

    @Test func requestsPastTheQueueGet503WithRetryAfter() async throws {
        // One slot, one queue place: of three simultaneous uploads one runs, one waits, one is refused.
        let gate = Gate()
        let engines = fakeEngines(recognizer: FakeRecognizer(gate: gate), maxConcurrent: 1, maxQueued: 1)
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            let running = Task { try await client.post("/transcribe", oneSecondUpload) }
            try await waitFor(engines.limiter, running: 1, waiting: 0)
            let queued = Task { try await client.post("/transcribe", oneSecondUpload) }
            try await waitFor(engines.limiter, running: 1, waiting: 1)
            let refused = try await client.post("/transcribe", oneSecondUpload)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.errorCode == "server_busy")
            #expect(refused.headers[.retryAfter] == "7")
            await gate.open()
            #expect(try await running.value.status == .ok)
            #expect(try await queued.value.status == .ok)
        }
    }
}
