/// Words an engine decoded after a chunk's speech had ended. Whisper goes on after the last
/// spoken word — it repeats the sentence it just heard, or guesses the next one — and its
/// cross-attention DTW, which cannot place such words in the audio, squeezes them onto the chunk's
/// last frame. In a long file they land in the silence between two sentences, duplicate text the
/// next chunk hears for real, and use up the token budget. (faster-whisper's
/// `hallucination_silence_threshold` answers the same failure by skipping silent stretches.)
///
/// The tail is the run of last words with no VAD speech under them, and only when that run reaches
/// the chunk's end: the sign that the decoder had run past the audio. A silent word followed by a
/// heard one is left alone (the VAD may miss quiet speech mid-chunk), and so is a silent tail that
/// stops short of the chunk's end.
enum SilentTail {
    /// How close to the chunk's end the tail's last word must end: DTW's last 20 ms frame plus
    /// rounding to 10 ms.
    static let endSlack = 0.06
    /// Zero-length words are tested over this much audio before their time: two VAD frames, so
    /// the room tone at the end of the last real word does not count for the word parked after it.
    static let minimumSpan = 0.04

    /// How many of the words (in order, over all `segments`) at the end form a silent tail.
    static func count(in segments: [TranscriptSegment], chunkEnd: Double, speech: SpeechMap) -> Int {
        guard segments.last?.words.isEmpty == false else { return 0 }
        let words = segments.flatMap(\.words)
        guard let last = words.last, last.end >= chunkEnd - endSlack else { return 0 }
        var count = 0
        for word in words.reversed() {
            guard !speech.hasSpeech(from: min(word.start, word.end - minimumSpan), to: word.end) else { break }
            count += 1
        }
        return count
    }

    /// `segments` without their last `count` words; a segment left without words goes, one cut
    /// short keeps the text its remaining words came from.
    static func dropping(last count: Int, from segments: [TranscriptSegment]) -> [TranscriptSegment] {
        var remaining = count
        var result = segments
        while remaining > 0, let segment = result.last {
            guard !segment.words.isEmpty else {
                // Text between two silent words was decoded past the speech too.
                result.removeLast()
                continue
            }
            if segment.words.count <= remaining {
                remaining -= segment.words.count
                result.removeLast()
                continue
            }
            result[result.count - 1] = segment.narrowed(to: Array(segment.words.dropLast(remaining)))
            remaining = 0
        }
        return result
    }
}
