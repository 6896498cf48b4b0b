// Where a session's time went, accumulated by `WhisperSession` around its coarse stages (a clock read
// costs ~20 ns against stages of 0.1–100 ms, so it is always on). `scriba-bench whisper` prints it.

import Foundation

public struct WhisperStageTimes: Sendable, Equatable {
    /// conv1 + conv2 + GELU + positions, seconds.
    public var encoderConv = 0.0
    /// Encoder self-attention (scores, softmax, values), seconds.
    public var encoderAttention = 0.0
    /// Encoder linears, norms, GELU and residual adds, seconds.
    public var encoderLinear = 0.0
    /// Cross-attention K/V of every decoder layer, once per window, seconds.
    public var crossKeyValues = 0.0
    /// Decoder calls on several tokens (prompt prefill), seconds.
    public var prefill = 0.0
    /// Decoder calls on one token (greedy/sampled steps), seconds.
    public var steps = 0.0
    /// Decoder calls that also collect cross-attention scores (word timing), seconds.
    public var alignment = 0.0
    /// Output projection over the vocabulary, seconds.
    public var logits = 0.0
    public var windows = 0
    public var prefillTokens = 0
    public var stepTokens = 0
    public var logitRows = 0

    public init() {}

    /// Sum of the timed stages.
    public var total: Double { encoderConv + encoderAttention + encoderLinear + crossKeyValues + prefill + steps + alignment + logits }

    public static func + (a: Self, b: Self) -> Self {
        var s = a
        s.encoderConv += b.encoderConv; s.encoderAttention += b.encoderAttention; s.encoderLinear += b.encoderLinear
        s.crossKeyValues += b.crossKeyValues; s.prefill += b.prefill; s.steps += b.steps; s.alignment += b.alignment
        s.logits += b.logits; s.windows += b.windows; s.prefillTokens += b.prefillTokens; s.stepTokens += b.stepTokens
        s.logitRows += b.logitRows
        return s
    }
}

/// Monotonic seconds for the stage timers.
public enum WhisperClock {
    @inline(__always)
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
