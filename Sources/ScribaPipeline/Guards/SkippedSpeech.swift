/// Speech inside a chunk that none of its words covers: the decoder skipped it. Whisper (base above
/// all) sometimes ends a window a few words early ("…than he" without "was?"), leaves out a whole
/// sentence it has just heard in the context, or stops after one word whose DTW span then covers
/// the skipped sentence ("Mr." 6.8 s long). The VAD still hears that speech, so the pipeline decodes
/// each such stretch again on its own and puts the words it gets in their place.
enum SkippedSpeech {
    /// Less unclaimed speech than this (a breath, the tail of a long vowel) is not re-decoded.
    static let minimumSpeech = 0.4
    /// Pauses shorter than this inside a stretch do not split it.
    static let bridge = 0.3
    /// Each word claims this much beyond its ends: DTW word edges are this loose.
    static let margin = 0.1
    /// The decode of a stretch starts this much before it: the words before give the decoder its
    /// bearings (alone, a short stretch comes back misheard — "was?" as "us." — or invented).
    static let lead = 2.0
    /// It ends this far past the stretch (the last consonant), never inside the next word's claim.
    static let tail = 0.2
    /// Recovered words the decoder gives less probability than this are dropped: what Whisper invents
    /// on a breath ("Thank", "You") comes with 0.000–0.021 (2 h run, docs/long-run.md).
    static let minimumConfidence = 0.05

    /// A run of speech no word claims, and the audio to decode for it.
    struct Stretch: Equatable {
        /// The unclaimed speech (file seconds).
        var speech: ClosedRange<Double>
        /// `lead` seconds before it (within the chunk) to `tail` after it.
        var window: ClosedRange<Double>
    }

    /// The longest span a word claims: about 0.12 s per letter, at least 1 s. A word longer than
    /// that (one word over a whole sentence) leaves the rest to be found.
    static func claimLimit(_ word: TimedWord) -> Double {
        max(1.0, 0.12 * Double(word.text.count(where: { $0.isLetter || $0.isNumber })))
    }

    /// The stretches of a chunk (`start..<end`, file seconds) to decode again: runs of speech no
    /// word claims with at least `minimumSpeech` seconds of speech. A word claims from where it
    /// starts once trimmed to its own speech (`SpeechMap.trimmedToSpeech`): a word the DTW started in
    /// the pause before it has not skipped the speech it was spoken in.
    static func stretches(of words: [TimedWord], from start: Double, to end: Double, speech: SpeechMap) -> [Stretch] {
        guard !words.isEmpty else { return [] }
        let claims = words.map { speech.trimmedToSpeech($0, pad: PipelineOptions.defaultSpeechPad) }.map { word in
            (word.start - margin)...(max(word.start, min(word.end, word.start + claimLimit(word))) + margin)
        }
        return speech.unclaimedRuns(from: start, to: end, claimed: claims, bridge: bridge)
            .filter { $0.speech >= minimumSpeech }
            .map { run in
                let after = claims.map(\.lowerBound).filter { $0 >= run.end }.min() ?? end
                return Stretch(speech: run.start...run.end,
                               window: max(start, run.start - lead)...max(run.end, min(end, after, run.end + tail)))
            }
    }

    /// The words of `found` (the decode of `stretch.window`, file times) that are new: those after
    /// the decoder's own copy of `before` (the last word before the stretch) when it heard it near
    /// the stretch's start, else those whose middle is inside the stretch; not past the stretch, not
    /// a last word repeating `after`, and not below `minimumConfidence`.
    static func newWords(in found: [TranscriptSegment], for stretch: Stretch, before: TimedWord?, after: TimedWord?) -> [TranscriptSegment] {
        let key = { (word: TimedWord) in word.text.filter(ScriptClass.isWordCharacter).lowercased() }
        let middle = ChunkMerger.midpoint
        var words = found.flatMap(\.words)
        if let before, let copy = words.lastIndex(where: { key($0) == key(before) && middle($0) < stretch.speech.lowerBound + 0.3 }) {
            words.removeSubrange(...copy)
        } else {
            words.removeAll { middle($0) < stretch.speech.lowerBound - margin }
        }
        words.removeAll { middle($0) > stretch.speech.upperBound + margin }
        if let after, let last = words.last, key(last) == key(after) { words.removeLast() }
        words.removeAll { ($0.confidence ?? 1) < minimumConfidence }
        let kept = Set(words)
        return found.compactMap { segment in
            let own = segment.words.filter { kept.contains($0) }
            return own.isEmpty ? nil : segment.narrowed(to: own)
        }
    }

    /// `segments` with `found` (words decoded from a skipped stretch, file times) put in time order:
    /// a segment whose words lie on both sides of the stretch is split around it, and a word that
    /// ran on over the stretch ends where the first found word starts.
    static func inserting(_ found: [TranscriptSegment], into segments: [TranscriptSegment]) -> [TranscriptSegment] {
        guard let first = found.first?.words.first?.start, let last = found.last?.words.last?.end else { return segments }
        var pieces: [TranscriptSegment] = []
        for segment in segments {
            let before = segment.words.filter { $0.start < first }
            let after = segment.words.filter { $0.start >= last }
            guard !before.isEmpty, !after.isEmpty, before.count + after.count == segment.words.count else {
                pieces.append(segment)
                continue
            }
            pieces += [segment.narrowed(to: before), segment.narrowed(to: after)]
        }
        var result = (pieces + found).sorted { ($0.words.first?.start ?? $0.start) < ($1.words.first?.start ?? $1.start) }
        // Clamp each word's end to the next word's start across the whole chunk.
        var next: Double?
        for s in result.indices.reversed() {
            for w in result[s].words.indices.reversed() {
                if let next, result[s].words[w].end > next {
                    result[s].words[w].end = max(result[s].words[w].start, next)
                }
                next = result[s].words[w].start
            }
            if let lastWord = result[s].words.last { result[s].end = lastWord.end }
        }
        return result
    }
}
