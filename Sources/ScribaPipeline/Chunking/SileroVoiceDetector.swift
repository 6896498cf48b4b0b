import ScribaAudio
import ScribaModels

/// Speech segments of a recording by Silero VAD (the neural detector that tells speech from music,
/// noise and applause, which the energy detector cannot): the model's per-frame probabilities,
/// then silero-vad's own segment rules (`SpeechSegments`).
public struct SileroVoiceDetector: Sendable {
    public let model: SileroVAD
    public var options: SpeechSegmentOptions

    /// The weights bundled with Scriba.
    public init(options: SpeechSegmentOptions = .init()) throws {
        model = try SileroVAD()
        self.options = options
    }

    public init(model: SileroVAD, options: SpeechSegmentOptions = .init()) {
        self.model = model
        self.options = options
    }

    /// The bundled model, loaded once per process (it is read-only and 1.2 MB).
    public static func sharedModel() throws -> SileroVAD { try loaded.get() }
    private static let loaded = Result { try SileroVAD() }

    /// One speech probability per 32 ms frame of `audio` (resampled to 16 kHz first when needed).
    public func probabilities(_ audio: AudioBuffer) -> [Float] {
        model.probabilities(Self.samples16k(audio))
    }

    /// Speech segments as sample ranges of `audio` (at its own rate).
    public func speechRanges(_ audio: AudioBuffer) -> [Range<Int>] {
        let samples = Self.samples16k(audio)
        let ranges = SpeechSegments.from(probabilities: model.probabilities(samples), frameSamples: SileroVAD.frameSamples,
                                         sampleRate: SileroVAD.sampleRate, sampleCount: samples.count, options: options)
        guard audio.sampleRate != SileroVAD.sampleRate else { return ranges }
        let scale = Double(audio.sampleRate) / Double(SileroVAD.sampleRate)
        return ranges.map { Int((Double($0.lowerBound) * scale).rounded())..<Int((Double($0.upperBound) * scale).rounded()) }
    }

    /// Speech segments in seconds from the start of `audio`.
    public func segments(_ audio: AudioBuffer) -> [SpeechSpan] {
        let rate = Double(audio.sampleRate)
        return speechRanges(audio).map { SpeechSpan(start: Double($0.lowerBound) / rate, end: Double($0.upperBound) / rate) }
    }

    static func samples16k(_ audio: AudioBuffer) -> [Float] {
        audio.sampleRate == SileroVAD.sampleRate ? audio.samples
            : Resampler.resample(audio.samples, from: audio.sampleRate, to: SileroVAD.sampleRate)
    }
}

/// A stretch of speech, seconds.
public struct SpeechSpan: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    public var duration: Double { end - start }

    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }
}
