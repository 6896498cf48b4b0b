import Foundation

/// When and how long to wait before calling a remote engine again: exponential backoff with jitter,
/// only for failures another attempt can fix (no connection, timeouts, 5xx). A 4xx means the request
/// itself is wrong, so it is never repeated.
public struct RetryPolicy: Sendable, Hashable {
    /// Further attempts after the first (`--retries`); 0 tries once.
    public var retries: Int
    /// Wait before the first retry, seconds; doubled for each further one.
    public var baseDelay: Double
    /// Upper bound of one wait, seconds.
    public var maxDelay: Double

    public static let defaultRetries = 3

    public init(retries: Int = RetryPolicy.defaultRetries, baseDelay: Double = 0.5, maxDelay: Double = 8) {
        self.retries = max(0, retries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before retry number `attempt` (0-based): base·2^attempt capped at `maxDelay`, then
    /// scaled by a random factor in [0.5, 1] so clients that failed together do not return together.
    public func delay(beforeRetry attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(min(attempt, 30))))
        return exponential * Double.random(in: 0.5...1, using: &generator)
    }

    /// Runs `operation`, retrying while it throws a retryable `RemoteEngineError` and attempts remain.
    /// `onRetry` hears each failure that will be retried and the wait before the retry.
    public func run<T: Sendable>(
        onRetry: @Sendable (RemoteEngineError, Double) -> Void = { _, _ in },
        _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as RemoteEngineError where error.isRetryable && attempt < retries {
                let wait = delay(beforeRetry: attempt, using: &generator)
                onRetry(error, wait)
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                attempt += 1
            }
        }
    }
}
