/// What a file held before we turned it into mono at the target rate: reported by the CLI and
/// server, and used to check durations.
public struct AudioSourceInfo: Sendable, Equatable {
    /// Container short name: "wav", "mp3", "flac", "ogg", "mp4", "matroska", ...
    public var container: String
    /// Codec short name: "pcm_s16le", "pcm_f32le", "mp3", "aac", "opus", ...
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    /// Sample frames at `sampleRate` (one frame = one sample per channel).
    public var frameCount: Int
    /// Seconds: `frameCount / sampleRate`.
    public var duration: Double

    /// Highest sample rate accepted from a file or as a target: 768 kHz is the top rate of real
    /// converters. Above it a header is almost surely corrupt, and the resampler's filter (whose
    /// length grows with the ratio) would become needlessly slow.
    public static let maxSampleRate = 768_000

    public init(container: String, codec: String, sampleRate: Int, channels: Int, frameCount: Int) {
        self.container = container
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.frameCount = frameCount
        self.duration = sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0
    }
}

/// A decoded file: where it came from, and its audio as mono at the requested rate.
public struct DecodedAudio: Sendable {
    public let info: AudioSourceInfo
    public let audio: AudioBuffer

    public init(info: AudioSourceInfo, audio: AudioBuffer) {
        self.info = info
        self.audio = audio
    }
}
