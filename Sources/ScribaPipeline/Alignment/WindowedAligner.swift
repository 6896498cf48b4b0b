import ScribaAudio

/// A forced aligner that times given units in one call, without windowing: what `WindowedAligner`
/// drives (`Qwen3Aligner`, test doubles).
public protocol UnitAligner: Sendable {
    var modelName: String { get }
    /// Hard limit (seconds) of one call.
    var maxChunkDuration: Double { get }
    /// The alignment units of `text` (words, or characters for Chinese).
    func units(of text: String, language: Language) throws -> [String]
    /// One time per unit, seconds from the start of `audio`.
    func align(_ audio: AudioBuffer, units: [String]) async throws -> [TimedWord]
}

/// Keeps a `UnitAligner` safe on long spans:
/// 1. audio longer than `windowDuration` is cut at pauses (`PauseChunker`, no overlap) and the
///    units are shared out in proportion to each window's speech (VAD frames);
/// 2. each window's words are checked by `PlateauDetector`; a plateau's stretch — from the end of
///    the word before it to the start of the word after — is aligned again on that narrower
///    window, or halved at its quietest frame when it is (nearly) the whole window, up to
///    `maxRealignDepth` times;
/// 3. words still on a plateau get times interpolated over their stretch (in proportion to their
///    length) and are flagged `interpolated`;
/// 4. the result is clamped to 0 ≤ start ≤ end ≤ duration with non-decreasing starts.
/// Punctuation has no units; `SentenceGrouper` gives it the times of the word it is attached to.
public struct WindowedAligner: ForcedAligner {
    public let base: any UnitAligner
    public var options: AlignmentSafetyOptions
    public var voiceActivity: VoiceActivity

    public init(base: any UnitAligner, options: AlignmentSafetyOptions = .init(), voiceActivity: VoiceActivity = .init()) {
        self.base = base
        self.options = options
        self.voiceActivity = voiceActivity
    }

    public var modelName: String { base.modelName }
    public var maxChunkDuration: Double { base.maxChunkDuration }
    /// The window actually used: never above the base's own limit.
    public var windowDuration: Double { min(options.windowDuration, base.maxChunkDuration) }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        try await align(audio, units: try base.units(of: text, language: language))
    }

    public func align(_ audio: AudioBuffer, units: [String]) async throws -> [TimedWord] {
        guard !units.isEmpty else { return [] }
        guard audio.sampleRate > 0, !audio.samples.isEmpty else {
            return units.map { TimedWord(text: $0, start: 0, end: 0, interpolated: true) }
        }
        let maxSamples = max(1, Int(windowDuration * Double(audio.sampleRate)))
        var words: [TimedWord] = []
        words.reserveCapacity(units.count)
        if audio.samples.count <= maxSamples {
            words = try await alignStretch(audio, 0..<audio.samples.count, units[...], depth: 0)
        } else {
            let chunker = PauseChunker(voiceActivity: voiceActivity, overlap: 0)
            let windows = chunker.chunks(total: audio.samples.count, sampleRate: audio.sampleRate, maxSamples: maxSamples,
                                         pauses: voiceActivity.pauses(in: audio))
            let ranges = windows.map { $0.startSample..<$0.endSample }
            for (range, share) in zip(ranges, shares(of: units.count, over: ranges, in: audio)) where !share.isEmpty {
                words += try await alignStretch(audio, range, units[share], depth: 0)
            }
        }
        return Self.ordered(words, duration: audio.duration)
    }

    /// Aligns `units` in `audio[range]`, repairing plateaus; times in seconds of `audio`.
    func alignStretch(_ audio: AudioBuffer, _ range: Range<Int>, _ units: ArraySlice<String>, depth: Int) async throws -> [TimedWord] {
        let rate = Double(audio.sampleRate)
        let start = Double(range.lowerBound) / rate, end = Double(range.upperBound) / rate
        let piece = AudioBuffer(samples: Array(audio.samples[range]), sampleRate: audio.sampleRate)
        let aligned = try await base.align(piece, units: Array(units))
        guard aligned.count == units.count else {
            return Self.interpolated(units, from: start, to: end)
        }
        var words = aligned.map { word -> TimedWord in
            var word = word
            word.start = min(max(start, word.start + start), end)
            word.end = min(max(word.start, word.end + start), end)
            return word
        }
        let detector = PlateauDetector(options: options)
        for plateau in detector.plateaus(in: words, stretchEnd: end) {
            let before = plateau.lowerBound > 0 ? words[plateau.lowerBound - 1].end : start
            let after = plateau.upperBound < words.count ? words[plateau.upperBound].start : end
            let left = min(before, after), right = max(before, after)
            let stretchUnits = units[(units.startIndex + plateau.lowerBound)..<(units.startIndex + plateau.upperBound)]
            let replacement: [TimedWord]
            if depth < options.maxRealignDepth, right - left >= options.minRealignDuration {
                let lower = min(max(range.lowerBound, Int(left * rate)), range.upperBound)
                let upper = min(max(lower, Int((right * rate).rounded(.up))), range.upperBound)
                if Double(upper - lower) <= 0.75 * Double(range.count) {
                    replacement = try await alignStretch(audio, lower..<upper, stretchUnits, depth: depth + 1)
                } else {
                    // The plateau is (nearly) the whole window: a narrower window means halving it.
                    let middle = quietestSample(audio, lower..<upper)
                    let halves = [lower..<middle, middle..<upper]
                    var parts: [TimedWord] = []
                    for (half, share) in zip(halves, shares(of: stretchUnits.count, over: halves, in: audio)) where !share.isEmpty {
                        let slice = stretchUnits[(stretchUnits.startIndex + share.lowerBound)..<(stretchUnits.startIndex + share.upperBound)]
                        if half.isEmpty {
                            parts += Self.interpolated(slice, from: Double(half.lowerBound) / rate, to: Double(half.upperBound) / rate)
                        } else {
                            parts += try await alignStretch(audio, half, slice, depth: depth + 1)
                        }
                    }
                    replacement = parts
                }
            } else {
                replacement = Self.interpolated(stretchUnits, from: left, to: right)
            }
            words.replaceSubrange(plateau, with: replacement)
        }
        return words
    }

    /// Splits `count` units over `ranges` in proportion to their speech frames (their lengths when
    /// the VAD hears no speech at all). Returns consecutive index ranges covering 0..<count.
    func shares(of count: Int, over ranges: [Range<Int>], in audio: AudioBuffer) -> [Range<Int>] {
        let frame = voiceActivity.frameSamples(sampleRate: audio.sampleRate)
        let lower = ranges.first?.lowerBound ?? 0, upper = ranges.last?.upperBound ?? 0
        let speech = voiceActivity.speechFrames(AudioBuffer(samples: Array(audio.samples[lower..<upper]), sampleRate: audio.sampleRate))
        var weights = ranges.map { range -> Double in
            let first = (range.lowerBound - lower) / frame, last = min(speech.count, (range.upperBound - lower + frame - 1) / frame)
            return first < last ? Double(speech[first..<last].lazy.filter { $0 }.count) : 0
        }
        if weights.reduce(0, +) == 0 { weights = ranges.map { Double($0.count) } }
        let total = max(weights.reduce(0, +), 1)
        var result: [Range<Int>] = []
        var cumulative = 0.0, previous = 0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            let boundary = index == weights.count - 1 ? count : min(count, Int((cumulative / total * Double(count)).rounded()))
            result.append(previous..<max(previous, boundary))
            previous = max(previous, boundary)
        }
        return result
    }

    /// The start sample of the quietest VAD frame in the middle third of `range` (a cut there is
    /// least likely to split a word).
    func quietestSample(_ audio: AudioBuffer, _ range: Range<Int>) -> Int {
        let frame = voiceActivity.frameSamples(sampleRate: audio.sampleRate)
        let levels = voiceActivity.frameLevels(AudioBuffer(samples: Array(audio.samples[range]), sampleRate: audio.sampleRate))
        let middle = range.lowerBound + range.count / 2
        guard levels.count >= 3 else { return middle }
        let candidates = (levels.count / 3)..<max(levels.count / 3 + 1, 2 * levels.count / 3)
        guard let quietest = candidates.min(by: { levels[$0] < levels[$1] }) else { return middle }
        return min(range.upperBound, range.lowerBound + quietest * frame)
    }

    /// Times spread over [from, to] in proportion to each unit's length, flagged `interpolated`.
    static func interpolated(_ units: ArraySlice<String>, from: Double, to: Double) -> [TimedWord] {
        let lengths = units.map { Double(max(1, $0.count)) }
        let step = max(0, to - from) / max(lengths.reduce(0, +), 1)
        var position = from
        return zip(units, lengths).map { unit, length in
            let start = position
            position += length * step
            return TimedWord(text: unit, start: start, end: min(position, to), interpolated: true)
        }
    }

    /// 0 ≤ start ≤ end ≤ duration, starts non-decreasing (windows are aligned independently).
    static func ordered(_ words: [TimedWord], duration: Double) -> [TimedWord] {
        var previous = 0.0
        return words.map { word in
            var word = word
            word.start = min(max(previous, word.start), duration)
            word.end = min(max(word.start, word.end), duration)
            previous = word.start
            return word
        }
    }
}
