import Foundation

/// How an `EndpointPool` shares work and reacts to failures.
public struct EndpointPoolOptions: Sendable, Hashable {
    /// Requests in flight per endpoint (`--inflight`): vLLM batches concurrent requests (8–32).
    /// 1 by default: a `scriba serve` with one slot keeps a second request queued, and closes its
    /// connection after `--idle-timeout` (30 s) without progress, which a long chunk on a busy CPU
    /// outlasts (measured: live servers then counted as failing).
    public var inflight: Int
    /// First time an endpoint is left out after a failure, seconds; doubled for each further
    /// outage in a row, up to `maxBackoff`.
    public var backoff: Double
    public var maxBackoff: Double
    /// Outages in a row (no answer in between) after which an endpoint is given up for this run.
    public var outagesBeforeGivingUp: Int

    public static let defaultInflight = 1

    public init(inflight: Int = defaultInflight, backoff: Double = 1, maxBackoff: Double = 30, outagesBeforeGivingUp: Int = 4) {
        self.inflight = max(1, inflight)
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.outagesBeforeGivingUp = max(1, outagesBeforeGivingUp)
    }
}

/// One endpoint's numbers for `processing_report.json`.
public struct EndpointReport: Codable, Sendable, Equatable {
    public var url: String
    public var api: String
    /// "asr" or "align".
    public var role: String
    /// Requests answered (2xx).
    public var chunks: Int
    /// Requests that got no answer, timed out or got a 5xx (their chunks went to other endpoints).
    public var failures: Int
    /// Requests refused with a 4xx: the chunk's own error, not retried.
    public var rejected: Int
    /// Times the endpoint was taken out for a back-off.
    public var outages: Int
    /// Left out for the rest of the run after `outagesBeforeGivingUp` outages in a row.
    public var givenUp: Bool
    /// Mean time of the answered requests, seconds (upload, queue and compute on the server).
    public var meanLatencySeconds: Double?

    public init(url: String, api: String, role: String, chunks: Int = 0, failures: Int = 0, rejected: Int = 0,
                outages: Int = 0, givenUp: Bool = false, meanLatencySeconds: Double? = nil) {
        self.url = url
        self.api = api
        self.role = role
        self.chunks = chunks
        self.failures = failures
        self.rejected = rejected
        self.outages = outages
        self.givenUp = givenUp
        self.meanLatencySeconds = meanLatencySeconds
    }
}

/// A queue of requests shared over many interchangeable endpoints: each request waits (first come,
/// first served) for an endpoint with a free slot (`inflight` per endpoint, least busy first). An
/// endpoint that refuses connections, times out or answers 5xx is taken out for a back-off and the
/// request goes to another; a 4xx is the request's own error and is thrown at once. When every
/// endpoint has been given up the waiting requests fail with `allEndpointsDown`.
public actor EndpointPool {
    struct Endpoint {
        var report: EndpointReport
        var running = 0
        var assigned = 0
        var downUntil: ContinuousClock.Instant?
        var outagesInARow = 0
        /// Bumped at each outage, so the other requests that were in flight when it went down do
        /// not count as further outages.
        var epoch = 0
        var latencyTotal = 0.0
    }

    /// A request's hold on one endpoint.
    public struct Lease: Sendable {
        public let index: Int
        let epoch: Int
        let began: ContinuousClock.Instant
    }

    enum Outcome { case answered, failed(String), rejected }

    public nonisolated let options: EndpointPoolOptions
    public nonisolated let count: Int
    private var endpoints: [Endpoint]
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Lease, any Error>)] = []
    private var nextWaiter: UInt64 = 0
    /// When the pool next wakes itself to hand out slots freed by a back-off's end.
    private var wakeAt: ContinuousClock.Instant?
    private var lastError = ""
    private let clock = ContinuousClock()

    public init(_ reports: [EndpointReport], options: EndpointPoolOptions = .init()) {
        self.options = options
        count = reports.count
        endpoints = reports.map { Endpoint(report: $0) }
    }

    /// Requests the pool can have in flight at once.
    public nonisolated var capacity: Int { count * options.inflight }

    /// Runs `operation` on endpoint after endpoint until one answers, a 4xx comes back, or every
    /// endpoint is given up.
    public nonisolated func run<T: Sendable>(_ operation: @Sendable (Int) async throws -> T) async throws -> T {
        while true {
            try Task.checkCancellation()
            let lease = try await acquire()
            do {
                let value = try await operation(lease.index)
                await release(lease, .answered)
                return value
            } catch let error as RemoteEngineError where error.isRetryable {
                await release(lease, .failed("\(error)"))
            } catch let error as RemoteEngineError {
                if case .rejected = error { await release(lease, .rejected) } else { await release(lease, .answered) }
                throw error
            } catch {
                // Cancellation or a local failure (encoding): the endpoint did nothing wrong.
                await release(lease, .rejected)
                throw error
            }
        }
    }

    public var reports: [EndpointReport] {
        endpoints.map { endpoint in
            var report = endpoint.report
            report.meanLatencySeconds = report.chunks > 0 ? endpoint.latencyTotal / Double(report.chunks) : nil
            return report
        }
    }

    func acquire() async throws -> Lease {
        if waiters.isEmpty, let lease = take() { return lease }
        if endpoints.allSatisfy(\.report.givenUp) { throw downError }
        let id = nextWaiter
        nextWaiter += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
                dispatch()
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private var downError: RemoteEngineError {
        .allEndpointsDown(endpoints: endpoints.map(\.report.url), lastError: lastError)
    }

    /// A slot on the least busy endpoint that is up, if any.
    private func take() -> Lease? {
        let now = clock.now
        let candidates = endpoints.indices.filter { index in
            let endpoint = endpoints[index]
            return !endpoint.report.givenUp && endpoint.running < options.inflight && (endpoint.downUntil.map { $0 <= now } ?? true)
        }
        guard let index = candidates.min(by: {
            (endpoints[$0].running, endpoints[$0].assigned) < (endpoints[$1].running, endpoints[$1].assigned)
        }) else { return nil }
        endpoints[index].running += 1
        endpoints[index].assigned += 1
        endpoints[index].downUntil = nil
        return Lease(index: index, epoch: endpoints[index].epoch, began: now)
    }

    func release(_ lease: Lease, _ outcome: Outcome) {
        var endpoint = endpoints[lease.index]
        endpoint.running -= 1
        switch outcome {
        case .answered:
            endpoint.report.chunks += 1
            endpoint.outagesInARow = 0
            let elapsed = clock.now - lease.began
            endpoint.latencyTotal += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        case .rejected:
            endpoint.report.rejected += 1
            endpoint.outagesInARow = 0
        case .failed(let reason):
            endpoint.report.failures += 1
            lastError = reason
            if lease.epoch == endpoint.epoch {
                endpoint.epoch += 1
                endpoint.outagesInARow += 1
                endpoint.report.outages += 1
                if endpoint.outagesInARow >= options.outagesBeforeGivingUp {
                    endpoint.report.givenUp = true
                } else {
                    let wait = min(options.maxBackoff, options.backoff * pow(2, Double(endpoint.outagesInARow - 1)))
                    endpoint.downUntil = clock.now + .milliseconds(Int(wait * 1000))
                }
            }
        }
        endpoints[lease.index] = endpoint
        dispatch()
    }

    /// Hands free slots to waiting requests in arrival order; fails them all once every endpoint is
    /// given up; otherwise wakes itself when the first back-off ends.
    private func dispatch() {
        while !waiters.isEmpty, let lease = take() {
            waiters.removeFirst().continuation.resume(returning: lease)
        }
        guard !waiters.isEmpty else { return }
        if endpoints.allSatisfy(\.report.givenUp) {
            let error = downError
            let waiting = waiters
            waiters = []
            for waiter in waiting { waiter.continuation.resume(throwing: error) }
            return
        }
        // Only back-offs still running: a slot that is free of its back-off but busy frees itself
        // through `release`.
        let now = clock.now
        guard let next = endpoints.compactMap({ $0.report.givenUp ? nil : $0.downUntil }).filter({ $0 > now }).min(),
              wakeAt.map({ next < $0 }) ?? true else { return }
        wakeAt = next
        Task {
            try? await Task.sleep(until: next, clock: .continuous)
            self.woke(at: next)
        }
    }

    private func woke(at instant: ContinuousClock.Instant) {
        if wakeAt == instant { wakeAt = nil }
        dispatch()
    }
}
