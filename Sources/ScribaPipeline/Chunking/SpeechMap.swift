import ScribaAudio

/// The VAD's speech frames of a whole file, asked per chunk or per word. Decided over the whole
/// file so a chunk of room noise is judged against the file's speech level.
struct SpeechMap {
    /// prefix[i]: speech frames among frames 0..<i.
    private let prefix: [Int]
    /// Each frame's level (dBFS).
    private let levels: [Float]
    private let frameSamples: Int
    private let sampleRate: Int

    init(_ audio: AudioBuffer, voiceActivity: VoiceActivity) {
        frameSamples = voiceActivity.frameSamples(sampleRate: audio.sampleRate)
        sampleRate = audio.sampleRate
        levels = voiceActivity.frameLevels(audio)
        var counts = [0]
        counts.reserveCapacity(levels.count + 1)
        for speech in voiceActivity.gated(voiceActivity.speechFrames(levels: levels), frameSamples: frameSamples) { counts.append(counts[counts.count - 1] + (speech ? 1 : 0)) }
        prefix = counts
    }

    private var frameCount: Int { levels.count }
    private var frameSeconds: Double { Double(frameSamples) / Double(sampleRate) }

    /// Seconds of speech frames overlapping `range` (whole frames).
    func seconds(in range: Range<Int>) -> Double {
        let first = min(frameCount, range.lowerBound / frameSamples)
        let last = min(frameCount, (range.upperBound + frameSamples - 1) / frameSamples)
        return Double((prefix[last] - prefix[first]) * frameSamples) / Double(sampleRate)
    }

    /// `word` trimmed to its own speech, each end kept `pad` seconds outside it (soft onsets sit
    /// under the VAD threshold). Whisper's cross-attention DTW starts the first word after a pause up
    /// to seconds early: inside the silence, or even at the previous sentence's last syllable. So the
    /// word's speech is the last stretch of it not broken by a pause of `minPause` seconds; a start
    /// before that stretch moves to it, an end after it moves back. A frame is heard when the VAD
    /// says speech and it is within `wordRange` dB of the word's loudest frame: the file-wide VAD
    /// threshold can sit at a quiet gap's noise level, the word's own peak cannot. A word with no
    /// heard frame is left alone (the VAD may have missed quiet speech). Times only ever shrink
    /// towards the word's own speech, so word order and non-overlap are kept.
    func trimmedToSpeech(_ word: TimedWord, pad: Double, minPause: Double = 0.2, wordRange: Float = 30) -> TimedWord {
        guard !levels.isEmpty, word.end > word.start else { return word }
        let frames = self.frames(from: word.start, to: word.end)
        let first = frames.lowerBound, last = frames.upperBound
        guard let peak = frames.lazy.filter({ self.isSpeech($0) }).map({ self.levels[$0] }).max() else { return word }
        let heard = { (frame: Int) in self.isSpeech(frame) && self.levels[frame] >= peak - wordRange }
        guard let lastHeard = frames.last(where: heard) else { return word }
        // Walk back from the last heard frame to the first pause of `minPause`; shorter gaps
        // (stop closures) stay inside the stretch.
        let pauseFrames = max(1, Int((minPause / frameSeconds).rounded()))
        var onset = lastHeard
        var quiet = 0
        for frame in stride(from: lastHeard - 1, through: first, by: -1) {
            if heard(frame) {
                onset = frame
                quiet = 0
            } else {
                quiet += 1
                if quiet >= pauseFrames { break }
            }
        }
        var result = word
        if onset > first { result.start = max(word.start, Double(onset) * frameSeconds - pad) }
        if lastHeard < last - 1 { result.end = min(word.end, Double(lastHeard + 1) * frameSeconds + pad) }
        return result.end > result.start ? result : word
    }

    /// Whether the VAD hears speech in any frame of `start...end` (at least one frame).
    func hasSpeech(from start: Double, to end: Double) -> Bool {
        guard !levels.isEmpty else { return false }
        let frames = self.frames(from: start, to: end)
        return prefix[frames.upperBound] > prefix[frames.lowerBound]
    }

    /// Runs of speech inside `start..<end` that no span of `claimed` covers, as (start, end,
    /// seconds of speech): unclaimed speech frames joined across non-speech gaps shorter than
    /// `bridge` seconds; a claimed frame ends a run.
    func unclaimedRuns(from start: Double, to end: Double, claimed: [ClosedRange<Double>],
                       bridge: Double) -> [(start: Double, end: Double, speech: Double)] {
        guard !levels.isEmpty, end > start else { return [] }
        let range = frames(from: start, to: end)
        var taken = [Bool](repeating: false, count: range.count)
        for span in claimed {
            for frame in frames(from: span.lowerBound, to: span.upperBound) where range.contains(frame) {
                taken[frame - range.lowerBound] = true
            }
        }
        let bridgeFrames = max(1, Int((bridge / frameSeconds).rounded()))
        var runs: [(start: Double, end: Double, speech: Double)] = []
        var first: Int?, last = 0, count = 0
        func close() {
            if let first { runs.append((Double(first) * frameSeconds, Double(last + 1) * frameSeconds, Double(count) * frameSeconds)) }
            first = nil
            count = 0
        }
        for frame in range {
            if taken[frame - range.lowerBound] { close(); continue }
            guard isSpeech(frame) else {
                if first != nil, frame - last > bridgeFrames { close() }
                continue
            }
            if first == nil { first = frame }
            last = frame
            count += 1
        }
        close()
        return runs
    }

    /// The frames a span touches, at least one.
    private func frames(from start: Double, to end: Double) -> Range<Int> {
        let first = max(0, min(levels.count - 1, Int(start / frameSeconds)))
        return first..<max(first + 1, min(levels.count, Int((end / frameSeconds).rounded(.up))))
    }

    private func isSpeech(_ frame: Int) -> Bool { prefix[frame + 1] > prefix[frame] }
}

extension Array where Element == TranscriptSegment {
    /// Two words this close are spoken without a pause between them (DTW's 20 ms frames).
    static var glued: Double { 0.05 }
    /// A silence this long between a sentence's first word and its second cuts the first off.
    static var cutOff: Double { 0.3 }
    /// Two VAD frames: the frame a word ends in still holds the word's last sound.
    static var ownEdge: Double { 0.04 }

    /// One chunk's segments with every word trimmed to its speech (`SpeechMap.trimmedToSpeech`) and
    /// each segment's start/end following its words. Then words with no speech under them that the
    /// DTW put in the pause before a word whose start moved forward to a speech onset ("He" left at
    /// the end of the previous sentence, "was" moved to where "He was" is heard) share that word's
    /// speech, split by letters: the onset is where they were spoken.
    func trimmedToSpeech(_ speech: SpeechMap, pad: Double) -> [TranscriptSegment] {
        let original = flatMap(\.words)
        guard !original.isEmpty else { return self }
        var words = original.map { speech.trimmedToSpeech($0, pad: pad) }
        let silent = original.map { !speech.hasSpeech(from: $0.start, to: $0.end) }
        var i = 0
        while i < words.count {
            guard silent[i] else { i += 1; continue }
            var j = i
            while j + 1 < words.count && silent[j + 1] { j += 1 }
            let next = j + 1
            if next < words.count, words[next].start > original[next].start, original[j].end <= words[next].start {
                words.spread(i...next, from: words[next].start, to: words[next].end)
            }
            i = next
        }
        // A sentence's first word that the DTW glued to the end of the sentence before ("was. He"),
        // cut off from the rest of its own sentence by a pause the VAD hears as silence: it was
        // spoken at the next word's onset ("He was" heard together after the pause). Speakers pause
        // after a sentence, seldom after its first word.
        for i in words.indices.dropFirst().dropLast() {
            let next = i + 1
            guard SentenceGrouper.endsSentence(word: original[i - 1].text), original[i].start - original[i - 1].end < Self.glued,
                  words[next].start - words[i].end >= Self.cutOff,
                  !speech.hasSpeech(from: words[i].end + Self.ownEdge, to: words[next].start) else { continue }
            words.spread(i...next, from: words[next].start, to: words[next].end)
        }
        var result: [TranscriptSegment] = []
        var cursor = 0
        for segment in self {
            guard !segment.words.isEmpty else { result.append(segment); continue }
            let own = [TimedWord](words[cursor..<(cursor + segment.words.count)])
            cursor += segment.words.count
            result.append(TranscriptSegment(start: own[0].start, end: own[own.count - 1].end, text: segment.text, words: own))
        }
        return result
    }
}
