import Foundation
import Testing
@testable import ScribaModels

/// The decoding helpers the librivox reference runs do not reach (fallback ratio, several segments in a
/// window, punctuation merging), checked against values printed by Python 3.11 zlib / faster-whisper 1.2.1.
struct WhisperDecodingTests {
    @Test func compressionRatioEqualsPythonZlib() throws {
        try #require(WhisperCompression.isAvailable, "libz.so.1 could not be opened")
        // len(b) / len(zlib.compress(b)): 113/99, 79/15, 16/25 (Python 3.11, zlib 1.2.13).
        let sentence = "And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power to do for them."
        #expect(WhisperCompression.ratio(sentence) == 113.0 / 99.0)
        let repetitive = Array(repeating: "the", count: 20).joined(separator: " ")
        #expect(WhisperCompression.ratio(repetitive) == 79.0 / 15.0)  // > 2.4: would trigger fallback
        #expect(WhisperCompression.ratio("Grüße, 世界!") == 16.0 / 25.0)
    }

    @Test func punctuationMergesLikeFasterWhisper() {
        func word(_ text: String, _ id: Int) -> WhisperTranscriber.AlignedWord {
            .init(word: text, tokens: [id], start: 0, end: 0, probability: 1)
        }
        var words = [word(" \"", 1), word("Hello", 2), word(",", 3), word(" world", 4), word(".", 5), word("\"", 6)]
        WhisperTranscriber.mergePunctuations(&words, prepended: WhisperOptions().prependPunctuations,
                                             appended: WhisperOptions().appendPunctuations)
        #expect(words.map(\.word) == ["", " \"Hello,", "", " world.\"", "", ""])
        #expect(words.map(\.tokens) == [[], [1, 2, 3], [], [4, 5, 6], [], []])
    }

    @Test(.enabled(if: WhisperBaseLocation.isInstalled, "Whisper base weights not found; run scripts/fetch-whisper-base"))
    func consecutiveTimestampsSplitTheWindowAndSeekToTheLastOne() throws {
        let transcriber = try WhisperBase.transcriber()
        // <|0.00|> a b <|1.00|><|1.00|> c d <|2.00|><|2.00|> e  (ends in text: the last piece is unfinished)
        let tokens = [50364, 10, 11, 50414, 50414, 12, 13, 50464, 50464, 14]
        let split = transcriber.splitByTimestamps(tokens, timeOffset: 1.0, segmentSize: 3000, segmentDuration: 30, seek: 100)
        #expect(split.segments.map(\.tokens) == [[50364, 10, 11, 50414], [50414, 12, 13, 50464]])
        #expect(split.segments.map(\.start) == [1.0, 2.0] && split.segments.map(\.end) == [2.0, 3.0])
        // Seek to the last closed timestamp: 100 + (50464 − 50364) × 2 frames.
        #expect(split.seek == 300 && !split.singleTimestampEnding)
        // A single timestamp before EOT closes the window: seek by the whole window.
        let ending = transcriber.splitByTimestamps([50364, 10, 50414, 50414, 11, 50500], timeOffset: 0, segmentSize: 710,
                                                   segmentDuration: 7.1, seek: 0)
        #expect(ending.segments.map(\.tokens) == [[50364, 10, 50414], [50414, 11, 50500]] && ending.seek == 710 && ending.singleTimestampEnding)
    }

    @Test(.enabled(if: WhisperBaseLocation.isInstalled, "Whisper base weights not found; run scripts/fetch-whisper-base"))
    func unknownLanguageAndWrongMelAreTypedErrors() throws {
        let transcriber = try WhisperBase.transcriber()
        #expect(throws: WhisperError.melBinsMismatch(expected: 80, found: 128)) {
            try transcriber.transcribe(mel: .init(zeros: [128, 100]))
        }
        do {
            _ = try transcriber.transcribe(mel: .init(zeros: [80, 100]), options: WhisperOptions(language: "xx"))
            Issue.record("unknown language accepted")
        } catch let error as WhisperError {
            guard case .unknownLanguage(let code, let known) = error else { Issue.record("\(error)"); return }
            #expect(code == "xx" && known.count == 99 && known.first == "en")
        }
    }
}
