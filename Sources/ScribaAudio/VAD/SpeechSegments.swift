/// Speech segments from per-frame speech probabilities, as silero-vad 6.2.3's
/// `get_speech_timestamps_from_probs` computes them (`utils_vad.py`): hysteresis between `threshold`
/// and `negativeThreshold`, a segment ends after `minSilence` below the lower one, segments shorter
/// than `minSpeech` are dropped, each is padded by `speechPad` (split evenly where two are closer than
/// twice the pad), and a segment longer than `maxSpeech` is cut at its longest internal silence.
public struct SpeechSegmentOptions: Sendable, Hashable {
    public var threshold: Float = 0.5
    /// nil: max(threshold − 0.15, 0.01).
    public var negativeThreshold: Float?
    public var minSpeechMilliseconds = 250.0
    public var minSilenceMilliseconds = 100.0
    public var speechPadMilliseconds = 30.0
    public var maxSpeechSeconds = Double.infinity
    /// Shortest silence that may serve as a cut when a segment runs past `maxSpeechSeconds`.
    public var minSilenceAtMaxSpeechMilliseconds = 98.0

    public init(threshold: Float = 0.5, negativeThreshold: Float? = nil, minSpeechMilliseconds: Double = 250,
                minSilenceMilliseconds: Double = 100, speechPadMilliseconds: Double = 30, maxSpeechSeconds: Double = .infinity) {
        self.threshold = threshold
        self.negativeThreshold = negativeThreshold
        self.minSpeechMilliseconds = minSpeechMilliseconds
        self.minSilenceMilliseconds = minSilenceMilliseconds
        self.speechPadMilliseconds = speechPadMilliseconds
        self.maxSpeechSeconds = maxSpeechSeconds
    }
}

public enum SpeechSegments {
    /// Segments as sample ranges (start ..< end) of audio `sampleCount` long, from one probability per
    /// `frameSamples` samples at `sampleRate`.
    public static func from(probabilities: [Float], frameSamples: Int = 512, sampleRate: Int = 16_000, sampleCount: Int,
                            options: SpeechSegmentOptions = .init()) -> [Range<Int>] {
        let rate = Double(sampleRate), window = frameSamples
        let minSpeech = rate * options.minSpeechMilliseconds / 1000
        let pad = rate * options.speechPadMilliseconds / 1000
        let maxSpeech = rate * options.maxSpeechSeconds - Double(window) - 2 * pad
        let minSilence = rate * options.minSilenceMilliseconds / 1000
        let minSilenceAtMax = rate * options.minSilenceAtMaxSpeechMilliseconds / 1000
        let threshold = options.threshold
        let negative = options.negativeThreshold ?? max(threshold - 0.15, 0.01)

        var speeches: [(start: Int, end: Int)] = []
        var triggered = false
        var start: Int?
        var tempEnd = 0, prevEnd = 0, nextStart = 0
        var possibleEnds: [(end: Int, silence: Int)] = []
        for (i, p) in probabilities.enumerated() {
            let sample = window * i
            if p >= threshold && tempEnd != 0 {
                let silence = sample - tempEnd
                if Double(silence) > minSilenceAtMax { possibleEnds.append((tempEnd, silence)) }
                tempEnd = 0
                if nextStart < prevEnd { nextStart = sample }
            }
            if p >= threshold && !triggered {
                triggered = true
                start = sample
                continue
            }
            if triggered, let s = start, Double(sample - s) > maxSpeech {
                if let longest = possibleEnds.max(by: { $0.silence < $1.silence }) {
                    // The first of equal silences, as Python's max.
                    let chosen = possibleEnds.first { $0.silence == longest.silence }!
                    speeches.append((s, chosen.end))
                    start = nil
                    nextStart = chosen.end + chosen.silence
                    if nextStart < chosen.end + sample { start = nextStart } else { triggered = false }
                    prevEnd = 0; nextStart = 0; tempEnd = 0
                    possibleEnds = []
                } else {
                    speeches.append((s, sample))
                    start = nil
                    prevEnd = 0; nextStart = 0; tempEnd = 0
                    triggered = false
                    possibleEnds = []
                    continue
                }
            }
            if p < negative && triggered {
                if tempEnd == 0 { tempEnd = sample }
                if Double(sample - tempEnd) < minSilence { continue }
                if let s = start, Double(tempEnd - s) > minSpeech { speeches.append((s, tempEnd)) }
                start = nil
                prevEnd = 0; nextStart = 0; tempEnd = 0
                triggered = false
                possibleEnds = []
                continue
            }
        }
        if let s = start, Double(sampleCount - s) > minSpeech { speeches.append((s, sampleCount)) }

        for i in speeches.indices {
            if i == 0 { speeches[i].start = Int(max(0, Double(speeches[i].start) - pad)) }
            if i != speeches.count - 1 {
                let silence = speeches[i + 1].start - speeches[i].end
                if Double(silence) < 2 * pad {
                    speeches[i].end += silence / 2
                    speeches[i + 1].start = max(0, speeches[i + 1].start - silence / 2)
                } else {
                    speeches[i].end = Int(min(Double(sampleCount), Double(speeches[i].end) + pad))
                    speeches[i + 1].start = Int(max(0, Double(speeches[i + 1].start) - pad))
                }
            } else {
                speeches[i].end = Int(min(Double(sampleCount), Double(speeches[i].end) + pad))
            }
        }
        return speeches.map { $0.start..<$0.end }
    }
}
