import Foundation

/// Settings of the energy voice-activity detector. Levels are RMS in dB relative to full scale
/// (a full-scale square wave is 0 dBFS) over non-overlapping frames.
public struct VoiceActivityOptions: Sendable, Hashable {
    /// Frame length in seconds; 20 ms resolves a 150 ms pause into ≥ 7 whole frames.
    public var frameDuration: Double
    /// Speech starts when a frame rises this far above the noise floor…
    public var onMargin: Float
    /// …and ends only when a frame falls below `onMargin - hysteresis` — so a level hovering at
    /// the threshold does not flicker between speech and pause.
    public var hysteresis: Float
    /// Frames this far below the loudest speech are never speech (quiet background under a loud talker).
    public var dynamicRange: Float
    /// When the noise-floor estimate lies within this much of the loudest speech, the audio has no real
    /// silence (continuous speech or music): the threshold is pinned this far below the loudest instead.
    public var minContrast: Float
    /// Frames below this level (dBFS) are silence whatever the statistics say.
    public var silenceFloor: Float

    public init(frameDuration: Double = 0.02, onMargin: Float = 9, hysteresis: Float = 4,
                dynamicRange: Float = 40, minContrast: Float = 20, silenceFloor: Float = -60) {
        self.frameDuration = frameDuration
        self.onMargin = onMargin
        self.hysteresis = hysteresis
        self.dynamicRange = dynamicRange
        self.minContrast = minContrast
        self.silenceFloor = silenceFloor
    }
}

/// Frame-level speech/pause decisions from signal energy with hysteresis, and the pauses as sample
/// ranges. Thresholds adapt to the recording: the noise floor is the 10th percentile of frame levels
/// and the loudest speech the 99th (percentiles, so a click or a dropout does not move them).
public struct VoiceActivity: Sendable {
    public var options: VoiceActivityOptions
    /// Where a neural detector (Silero) heard speech in this recording, as sample ranges; nil: energy
    /// alone. With a gate, a frame is speech only when its energy says so *and* its middle lies in a
    /// gated range, so loud music, noise or applause is never speech, while word edges keep the
    /// energy detector's 20 ms resolution and levels.
    public var speechGate: [Range<Int>]?

    public init(options: VoiceActivityOptions = .init(), speechGate: [Range<Int>]? = nil) {
        self.options = options
        self.speechGate = speechGate
    }

    /// Level floor for digital silence, so log10(0) never appears.
    static let minimumLevel: Float = -120

    public func frameSamples(sampleRate: Int) -> Int {
        max(1, Int((options.frameDuration * Double(sampleRate)).rounded()))
    }

    /// RMS level (dBFS) of each whole or final partial frame.
    public func frameLevels(_ audio: AudioBuffer) -> [Float] {
        let frame = frameSamples(sampleRate: audio.sampleRate)
        let count = (audio.samples.count + frame - 1) / frame
        var levels = [Float](repeating: Self.minimumLevel, count: count)
        audio.samples.withUnsafeBufferPointer { samples in
            for index in 0..<count {
                let start = index * frame
                let end = min(samples.count, start + frame)
                var energy: Float = 0
                for i in start..<end { energy += samples[i] * samples[i] }
                let meanSquare = energy / Float(end - start)
                if meanSquare > 0 { levels[index] = max(Self.minimumLevel, 10 * log10f(meanSquare)) }
            }
        }
        return levels
    }

    /// The level (dBFS) a frame must exceed to start speech; speech continues down to
    /// `threshold - hysteresis`.
    public func onThreshold(levels: [Float]) -> Float {
        guard !levels.isEmpty else { return options.silenceFloor }
        let sorted = levels.sorted()
        let noise = sorted[Int(Double(sorted.count - 1) * 0.10)]
        let loud = sorted[Int(Double(sorted.count - 1) * 0.99)]
        let adaptive = min(noise + options.onMargin, loud - options.minContrast)
        return max(options.silenceFloor, loud - options.dynamicRange, adaptive)
    }

    /// true where a frame is speech.
    public func speechFrames(_ audio: AudioBuffer) -> [Bool] {
        gated(speechFrames(levels: frameLevels(audio)), frameSamples: frameSamples(sampleRate: audio.sampleRate))
    }

    /// `frames` (of `frameSamples` each, from sample 0) with the speech gate applied.
    public func gated(_ frames: [Bool], frameSamples: Int) -> [Bool] {
        guard let gate = speechGate else { return frames }
        var result = frames
        var next = 0  // gate ranges are in order; frames are visited in order
        for index in frames.indices where frames[index] {
            let middle = index * frameSamples + frameSamples / 2
            while next < gate.count && gate[next].upperBound <= middle { next += 1 }
            result[index] = next < gate.count && gate[next].contains(middle)
        }
        return result
    }

    /// true where a frame of these levels (from `frameLevels`) is speech.
    public func speechFrames(levels: [Float]) -> [Bool] {
        let on = onThreshold(levels: levels)
        let off = max(options.silenceFloor, on - options.hysteresis)
        var speaking = false
        return levels.map { level in
            speaking = speaking ? level >= off : level > on
            return speaking
        }
    }

    /// Runs of non-speech frames as sample ranges [start, end) of the input, in order.
    public func pauses(in audio: AudioBuffer) -> [Range<Int>] {
        let frame = frameSamples(sampleRate: audio.sampleRate)
        let total = audio.samples.count
        var result: [Range<Int>] = []
        var pauseStart: Int?
        for (index, speech) in speechFrames(audio).enumerated() {
            if speech {
                if let start = pauseStart { result.append(start * frame..<min(total, index * frame)) }
                pauseStart = nil
            } else if pauseStart == nil {
                pauseStart = index
            }
        }
        if let start = pauseStart, start * frame < total { result.append(start * frame..<total) }
        return result
    }
}
