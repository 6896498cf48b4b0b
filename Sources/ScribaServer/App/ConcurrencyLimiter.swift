/// A counting semaphore with a bounded FIFO wait queue. At most `maxConcurrent` bodies run at
/// once; up to `maxQueued` more wait their turn; past that a request fails at once with
/// `ServerError.busy`, so a burst costs the caller a 503 instead of the server its memory.
public actor ConcurrencyLimiter {
    public nonisolated let maxConcurrent: Int
    public nonisolated let maxQueued: Int
    /// Told to rejected callers as `Retry-After`.
    public nonisolated let retryAfterSeconds: Int

    private var running = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    public init(maxConcurrent: Int, maxQueued: Int, retryAfterSeconds: Int = 10) {
        // Zero slots would reject everything; the command validates, this just keeps the invariant.
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxQueued = max(0, maxQueued)
        self.retryAfterSeconds = max(1, retryAfterSeconds)
    }

    /// Runs `body` when a slot is free. Throws `ServerError.busy` when the queue is full and
    /// `CancellationError` when the caller is cancelled while waiting.
    public nonisolated func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    /// (running, waiting) — for `/ready` and tests.
    public var load: (running: Int, waiting: Int) { (running, waiters.count) }

    func acquire() async throws {
        if running < maxConcurrent {
            running += 1
            return
        }
        guard waiters.count < maxQueued else { throw ServerError.busy(retryAfterSeconds: retryAfterSeconds) }
        try Task.checkCancellation()
        nextID &+= 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Hands the slot straight to the oldest waiter, so `running` only drops when nobody waits.
    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        // Already resumed (it holds a slot and will release it): nothing to do.
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
