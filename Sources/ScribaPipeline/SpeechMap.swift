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
        for speech in voiceActivity.speechFrames(levels: levels) { counts.append(counts[counts.count - 1] + (speech ? 1 : 0)) }
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
        let first = max(0, min(levels.count - 1, Int(word.start / frameSeconds)))
        let last = max(first + 1, min(levels.count, Int((word.end / frameSeconds).rounded(.up))))
        let frames = first..<last
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

    private func isSpeech(_ frame: Int) -> Bool { prefix[frame + 1] > prefix[frame] }
}

extension TranscriptSegment {
    /// The segment with its words trimmed to speech and its start/end following its words.
    func trimmedToSpeech(_ speech: SpeechMap, pad: Double) -> TranscriptSegment {
        guard !words.isEmpty else { return self }
        let trimmed = words.map { speech.trimmedToSpeech($0, pad: pad) }
        return TranscriptSegment(start: trimmed[0].start, end: trimmed[trimmed.count - 1].end, text: text, words: trimmed)
    }
}
