// Word timestamps as faster-whisper 1.2.1 computes them (`add_word_timestamps`, `find_alignment`,
// `merge_punctuations`, `Tokenizer.split_to_word_tokens`) on top of CTranslate2 4.8.5's `align`: one
// decoder pass over [sot, lang, transcribe, notimestamps] + text + [eot], the alignment heads'
// pre-softmax cross-attention cut to num_frames/2 and softmaxed, normalised over tokens, median
// filtered (width 7), averaged over heads, DTW on the negated matrix; token probabilities from a
// softmax over the text vocabulary only. Then the duration heuristics and segment-boundary fixes.

import Foundation
import ScribaTensor

extension WhisperTranscriber {
    /// One aligned word before punctuation merging (start/end relative to the window).
    struct AlignedWord {
        var word: String
        var tokens: [Int]
        var start: Double
        var end: Double
        var probability: Double
    }

    static let medianFilterWidth = 7
    static let tokensPerSecond = 50.0
    static let sentenceEndMarks = ".。!！?？"
    /// Python's string.punctuation.
    static let asciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    /// Languages whose words are split at every complete character rather than at spaces.
    static let unicodeSplitLanguages: Set<String> = ["zh", "ja", "th", "lo", "my", "yue"]

    /// Python's `a in b` for strings (substring test; the empty string is in every string).
    static func pythonContains(_ haystack: String, _ needle: String) -> Bool {
        needle.isEmpty || haystack.contains(needle)
    }

    /// `add_word_timestamps` for one window's segments; fills `words` and adjusts segment start/end.
    /// Returns the updated last speech timestamp.
    @discardableResult
    func addWordTimestamps(_ segments: inout [PendingSegment], language: String, sotSequence: [Int], numFrames: Int,
                           options: WhisperOptions, lastSpeechTimestamp: Double) throws -> Double {
        guard !segments.isEmpty else { return lastSpeechTimestamp }
        let perSegment = segments.map { $0.tokens.filter { $0 < special.endOfText } }
        let textTokens = perSegment.flatMap { $0 }
        var alignment = try findAlignment(textTokens: textTokens, language: language, sotSequence: sotSequence, numFrames: numFrames)

        let durations = alignment.map { $0.end - $0.start }.filter { $0 != 0 }
        var medianDuration = 0.0
        if !durations.isEmpty {
            let sorted = durations.sorted(), mid = sorted.count / 2
            medianDuration = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
        medianDuration = min(0.7, medianDuration)
        let maxDuration = medianDuration * 2
        // Truncate long words at sentence boundaries.
        if !durations.isEmpty && alignment.count > 1 {
            for i in 1..<alignment.count where alignment[i].end - alignment[i].start > maxDuration {
                if Self.pythonContains(Self.sentenceEndMarks, alignment[i].word) {
                    alignment[i].end = alignment[i].start + maxDuration
                } else if Self.pythonContains(Self.sentenceEndMarks, alignment[i - 1].word) {
                    alignment[i].start = alignment[i].end - maxDuration
                }
            }
        }
        Self.mergePunctuations(&alignment, prepended: options.prependPunctuations, appended: options.appendPunctuations)

        var lastSpeech = lastSpeechTimestamp
        var wordIndex = 0
        let timeOffset = Double(segments[0].seek) * Self.secondsPerFrame
        for s in segments.indices {
            var savedTokens = 0
            var words: [WhisperWord] = []
            while wordIndex < alignment.count && savedTokens < perSegment[s].count {
                let timing = alignment[wordIndex]
                if !timing.word.isEmpty {
                    words.append(WhisperWord(start: Self.round2(timeOffset + timing.start), end: Self.round2(timeOffset + timing.end),
                                             word: timing.word, probability: timing.probability))
                }
                savedTokens += timing.tokens.count
                wordIndex += 1
            }
            if !words.isEmpty {
                // The first word after a pause may not be longer than twice the median.
                if words[0].end - lastSpeech > medianDuration * 4
                    && (words[0].end - words[0].start > maxDuration
                        || (words.count > 1 && words[1].end - words[0].start > maxDuration * 2)) {
                    if words.count > 1 && words[1].end - words[1].start > maxDuration {
                        let boundary = max(words[1].end / 2, words[1].end - maxDuration)
                        words[0].end = boundary
                        words[1].start = boundary
                    }
                    words[0].start = max(0, words[0].end - maxDuration)
                }
                // Prefer the segment-level start if the first word is too long.
                if segments[s].start < words[0].end && segments[s].start - 0.5 > words[0].start {
                    words[0].start = max(0, min(words[0].end - medianDuration, segments[s].start))
                } else {
                    segments[s].start = words[0].start
                }
                // Prefer the segment-level end if the last word is too long.
                let last = words.count - 1
                if segments[s].end > words[last].start && segments[s].end + 0.5 < words[last].end {
                    words[last].end = max(words[last].start + medianDuration, segments[s].end)
                } else {
                    segments[s].end = words[last].end
                }
                lastSpeech = segments[s].end
            }
            segments[s].words = words
        }
        return lastSpeech
    }

    /// Python's round(x, 2) (ties to even on the decimal value, close enough on binary doubles).
    static func round2(_ x: Double) -> Double { (x * 100).rounded(.toNearestOrEven) / 100 }

    /// `find_alignment` over CT2 `align` on the currently encoded window.
    func findAlignment(textTokens: [Int], language: String, sotSequence: [Int], numFrames: Int) throws -> [AlignedWord] {
        guard !textTokens.isEmpty else { return [] }
        let c = config
        let heads = c.alignmentHeads.count
        guard heads > 0 else { throw WhisperError.invalidConfig("config.json lists no alignment_heads; word timestamps need them") }
        let input = sotSequence + [special.noTimestamps] + textTokens + [special.endOfText]
        let t = input.count, n = c.audioPositions
        guard t <= c.textPositions else { throw WhisperError.sequenceTooLong(tokens: t, limit: c.textPositions) }

        var scores = [Float](repeating: 0, count: heads * t * n)  // [heads][t, n] pre-softmax
        session.resetDecoder()
        try scores.withUnsafeMutableBufferPointer { s in
            try input.withUnsafeBufferPointer { try session.decode($0, alignment: s.baseAddress!) }
        }
        // Text token probabilities: softmax over ids < eot at the row before each token.
        let offset = sotSequence.count
        var probabilities = [Double](repeating: 0, count: textTokens.count)
        var first = 0
        while first < textTokens.count {
            let count = min(WhisperSession.logitRows, textTokens.count - first)
            session.computeLogits(firstRow: offset + first, count: count)
            for r in 0..<count {
                let row = session.logits + r * c.vocabularySize
                Softmax.row(row, count: special.endOfText)
                probabilities[first + r] = Double(row[textTokens[first + r]])
            }
            first += count
        }

        // Attention: cut to the window's frames, softmax, normalise, median filter, mean over heads.
        let frames = min(n, numFrames / 2)
        guard frames > 0 else { return [] }
        var weights = [Float](repeating: 0, count: heads * t * frames)
        weights.withUnsafeMutableBufferPointer { w in
            scores.withUnsafeBufferPointer { s in
                for r in 0..<(heads * t) {
                    let destination = w.baseAddress! + r * frames
                    destination.update(from: s.baseAddress! + r * n, count: frames)
                    Softmax.row(destination, count: frames)
                }
            }
        }
        WhisperAlignment.normalizeOverTokens(&weights, heads: heads, tokens: t, frames: frames)
        WhisperAlignment.medianFilterRows(&weights, rows: heads * t, columns: frames, width: Self.medianFilterWidth)
        // Rows offset ..< t-1: <|notimestamps|> and the text tokens (each predicting the next token).
        let rows = t - 1 - offset
        var cost = [Float](repeating: 0, count: rows * frames)
        for r in 0..<rows {
            for f in 0..<frames {
                var sum: Float = 0
                for h in 0..<heads { sum += weights[(h * t + offset + r) * frames + f] }
                cost[r * frames + f] = -(sum / Float(heads))
            }
        }
        let path = WhisperAlignment.dtwPath(cost: cost, rows: rows, columns: frames)
        let jumpTimes = WhisperAlignment.tokenStartFrames(path: path, rows: rows).map { Double($0) / Self.tokensPerSecond }

        let (words, wordTokens) = splitToWordTokens(textTokens + [special.endOfText], language: language)
        guard wordTokens.count > 1 else { return [] }
        var boundaries = [0]
        for tokens in wordTokens.dropLast() { boundaries.append(boundaries.last! + tokens.count) }
        var result: [AlignedWord] = []
        for i in 0..<(boundaries.count - 1) {
            let a = boundaries[i], b = boundaries[i + 1]
            let slice = probabilities[min(a, probabilities.count)..<min(b, probabilities.count)]
            let probability = slice.isEmpty ? .nan : slice.reduce(0, +) / Double(slice.count)
            result.append(AlignedWord(word: words[i], tokens: wordTokens[i], start: jumpTimes[min(a, rows - 1)],
                                      end: jumpTimes[min(b, rows - 1)], probability: probability))
        }
        return result
    }

    // MARK: - Words from tokens

    func splitToWordTokens(_ tokens: [Int], language: String) -> ([String], [[Int]]) {
        if Self.unicodeSplitLanguages.contains(language) { return splitOnUnicode(tokens) }
        let (subwords, subwordTokens) = splitOnUnicode(tokens)
        var words: [String] = []
        var wordTokens: [[Int]] = []
        for (subword, ids) in zip(subwords, subwordTokens) {
            let special = ids[0] >= self.special.endOfText
            let withSpace = subword.hasPrefix(" ")
            let punctuation = Self.pythonContains(Self.asciiPunctuation, subword.trimmingCharacters(in: .whitespacesAndNewlines))
            if special || withSpace || punctuation || words.isEmpty {
                words.append(subword)
                wordTokens.append(ids)
            } else {
                words[words.count - 1] += subword
                wordTokens[wordTokens.count - 1].append(contentsOf: ids)
            }
        }
        return (words, wordTokens)
    }

    /// `split_tokens_on_unicode`: a piece ends where the tokens so far decode without a replacement
    /// character (or one the full text has too, i.e. a genuinely invalid byte).
    func splitOnUnicode(_ tokens: [Int]) -> ([String], [[Int]]) {
        let replacement: Unicode.Scalar = "\u{FFFD}"
        let full = Array(decodeText(tokens).unicodeScalars)
        var words: [String] = []
        var wordTokens: [[Int]] = []
        var current: [Int] = []
        var offset = 0
        for token in tokens {
            current.append(token)
            let decoded = decodeText(current)
            let scalars = Array(decoded.unicodeScalars)
            let position = scalars.firstIndex(of: replacement).map { $0 + offset }
            if position == nil || (position! < full.count && full[position!] == replacement) {
                words.append(decoded)
                wordTokens.append(current)
                current = []
                offset += scalars.count
            }
        }
        return (words, wordTokens)
    }

    /// `merge_punctuations`: leading punctuation joins the next word, trailing punctuation the previous.
    static func mergePunctuations(_ alignment: inout [AlignedWord], prepended: String, appended: String) {
        guard alignment.count > 1 else { return }
        var i = alignment.count - 2, j = alignment.count - 1
        while i >= 0 {
            let previous = alignment[i]
            if previous.word.hasPrefix(" ") && pythonContains(prepended, previous.word.trimmingCharacters(in: .whitespacesAndNewlines)) {
                alignment[j].word = previous.word + alignment[j].word
                alignment[j].tokens = previous.tokens + alignment[j].tokens
                alignment[i].word = ""
                alignment[i].tokens = []
            } else {
                j = i
            }
            i -= 1
        }
        i = 0
        j = 1
        while j < alignment.count {
            let following = alignment[j]
            if !alignment[i].word.hasSuffix(" ") && pythonContains(appended, following.word) {
                alignment[i].word += following.word
                alignment[i].tokens += following.tokens
                alignment[j].word = ""
                alignment[j].tokens = []
            } else {
                i = j
            }
            j += 1
        }
    }
}
