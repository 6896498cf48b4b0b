import ScribaAudio

/// A stretch of the input, in samples of the input's rate: [startSample, endSample).
public struct AudioChunk: Sendable, Equatable {
    public var startSample: Int
    public var endSample: Int
    /// Leading samples this chunk shares with the previous one (a hard cut through speech overlaps
    /// so a word cut in half is heard whole by one side); 0 when the chunk starts at a pause.
    public var overlapSamples: Int

    public init(startSample: Int, endSample: Int, overlapSamples: Int = 0) {
        self.startSample = startSample
        self.endSample = endSample
        self.overlapSamples = overlapSamples
    }

    public var sampleCount: Int { endSample - startSample }
    public func startSeconds(sampleRate: Int) -> Double { Double(startSample) / Double(sampleRate) }
    public func endSeconds(sampleRate: Int) -> Double { Double(endSample) / Double(sampleRate) }
}

/// Splits long audio into chunks no longer than an engine takes in one call.
public protocol AudioChunker: Sendable {
    func chunks(of audio: AudioBuffer, maxDuration: Double) -> [AudioChunk]
}

/// Equal windows of at most `maxDuration`, cut without looking at the signal. The fallback when no
/// pause-aware chunker is chosen; chunk offsets are exact either way.
public struct FixedWindowChunker: AudioChunker {
    public init() {}

    public func chunks(of audio: AudioBuffer, maxDuration: Double) -> [AudioChunk] {
        let total = audio.samples.count
        guard total > 0 else { return [] }
        let maxSamples = max(1, Int(maxDuration * Double(audio.sampleRate)))
        let count = (total + maxSamples - 1) / maxSamples
        // Equal lengths rather than full windows plus a short tail: a 1-second tail transcribes badly.
        let length = (total + count - 1) / count
        return stride(from: 0, to: total, by: length).map {
            AudioChunk(startSample: $0, endSample: min(total, $0 + length))
        }
    }
}
