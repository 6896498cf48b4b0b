import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

/// A recogniser over a fixed word timeline. The test's "audio" carries each sample's index in the
/// stream as its value, so the recogniser knows which stretch of the stream it was given (the
/// session passes only the buffer). It hears a word once its whole span is in the buffer, always
/// adds a guessed word at the buffer's end that differs on every call, and on every third call
/// misspells the first word it returns: neither may ever be committed. A buffer reaching
/// `streamEnd` (the last pass, on `finish`) is heard cleanly.
private final class TimelineRecognizer: SpeechRecognizer, @unchecked Sendable {
    let modelName = "timeline"
    let maxChunkDuration = 30.0
    let words: [TimedWord]
    let streamEnd: Double
    var mishears = true
    /// Also "finishes the sentence": the next three words not yet in the buffer, piled with no
    /// duration at its end, the same on every pass (what Whisper does with a familiar prompt).
    var guessesAhead = false
    private let lock = NSLock()
    private var calls = 0
    private(set) var longestBuffer = 0.0
    private(set) var prompts: [String] = []
    /// Per call: whether the bare space was banned, and the language asked for.
    private(set) var requests: [(suppressBareSpace: Bool, language: String?)] = []
    /// The language every hypothesis reports.
    var language = "en"

    init(words: [TimedWord], streamEnd: Double) {
        self.words = words
        self.streamEnd = streamEnd
    }

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let call = lock.withLock {
            calls += 1
            longestBuffer = max(longestBuffer, audio.duration)
            if let context = options.context { prompts.append(context) }
            requests.append((options.suppressBareSpace, options.language?.code))
            return calls
        }
        guard let firstSample = audio.samples.first else { return Recognition(language: "", text: "", segments: []) }
        let start = Double(firstSample) / 16_000, end = start + audio.duration
        var heard = words.filter { $0.start >= start && $0.end <= end }.map {
            TimedWord(text: $0.text, start: $0.start - start, end: $0.end - start)
        }
        guard end < streamEnd - 1e-6 else {
            return Recognition(language: language, text: "", segments: [TranscriptSegment(start: 0, end: audio.duration, text: "", words: heard)])
        }
        if mishears, call % 3 == 0, !heard.isEmpty { heard[0].text = "MISHEARD" }
        if guessesAhead {
            heard += words.filter { $0.end > end }.prefix(3).map { TimedWord(text: $0.text, start: audio.duration, end: audio.duration) }
            return Recognition(language: language, text: "", segments: [TranscriptSegment(start: 0, end: audio.duration, text: "", words: heard)])
        }
        heard.append(TimedWord(text: "guess\(call)", start: audio.duration - 0.2, end: audio.duration))
        let segment = TranscriptSegment(start: 0, end: audio.duration, text: heard.map(\.text).joined(separator: " "), words: heard)
        return Recognition(language: language, text: segment.text, segments: [segment])
    }
}

/// `count` words of 0.4 s every 0.5 s from 0.5 s; every eighth ends a sentence.
private func timeline(count: Int) -> [TimedWord] {
    (0..<count).map { i in
        TimedWord(text: "w\(i)" + (i % 8 == 7 ? "." : ""), start: 0.5 + Double(i) * 0.5, end: 0.9 + Double(i) * 0.5)
    }
}

/// Samples whose values are their own indices in the stream (see `TimelineRecognizer`).
private func indexSamples(from start: Int, count: Int) -> [Float] { (start..<(start + count)).map { Float($0) } }

struct HypothesisBufferTests {
    private func words(_ text: String, from start: Double) -> [TimedWord] {
        text.split(separator: " ").enumerated().map { i, w in
            TimedWord(text: String(w), start: start + Double(i), end: start + Double(i) + 0.8)
        }
    }

    @Test func commitsOnlyWhatTwoHypothesesAgreeOn() {
        var buffer = HypothesisBuffer()
        #expect(buffer.insert(words("the cat sat", from: 0)).isEmpty)
        let committed = buffer.insert(words("the cat sits down", from: 0))
        #expect(committed.map(\.text) == ["the", "cat"])
        #expect(buffer.tail.map(\.text) == ["sits", "down"])
        #expect(buffer.lastCommittedTime == 1.8)
    }

    @Test func agreementIgnoresCaseAndPunctuationAndKeepsTheNewestSpelling() {
        var buffer = HypothesisBuffer()
        _ = buffer.insert(words("Hello, world", from: 0))
        #expect(buffer.insert(words("hello world.", from: 0)).map(\.text) == ["hello", "world."])
    }

    @Test func aRepeatedCommittedEndIsNotCommittedTwice() {
        var buffer = HypothesisBuffer()
        _ = buffer.insert(words("one two three", from: 0))
        #expect(buffer.insert(words("one two three four", from: 0)).map(\.text) == ["one", "two", "three"])
        #expect(buffer.lastCommittedTime == 2.8)
        // The next pass hears "three" again, timed a little later (within the overlap tolerance):
        // the repeated word is dropped, so "four" agrees with the previous tail and "three" is
        // not committed a second time.
        let repeated = [TimedWord(text: "three", start: 2.75, end: 3.0), TimedWord(text: "four", start: 3.05, end: 3.8)]
        #expect(buffer.insert(repeated).map(\.text) == ["four"])
        #expect(buffer.tail.isEmpty)
    }

    /// An earlier pass stretched "was." into the pause; the next pass times it shorter and puts the
    /// new sentence's "He" before that stretched end. It repeats every committed word first, so
    /// "He" is new: by time alone it would be dropped as already committed.
    @Test func aNewSentenceStartingBeforeAStretchedCommittedEndKeepsItsFirstWord() {
        var buffer = HypothesisBuffer()
        let stretched = [TimedWord(text: "than", start: 0, end: 0.4), TimedWord(text: "he", start: 0.4, end: 0.6),
                         TimedWord(text: "was.", start: 0.6, end: 2.0)]
        _ = buffer.insert(stretched)
        #expect(buffer.insert(stretched).map(\.text) == ["than", "he", "was."])
        let next = [TimedWord(text: "than", start: 0, end: 0.4), TimedWord(text: "he", start: 0.4, end: 0.6),
                    TimedWord(text: "was.", start: 0.6, end: 0.9), TimedWord(text: "He", start: 1.7, end: 2.1),
                    TimedWord(text: "was", start: 2.1, end: 2.3), TimedWord(text: "not", start: 2.3, end: 2.6)]
        #expect(buffer.insert(next).isEmpty)
        #expect(buffer.tail.map(\.text) == ["He", "was", "not"])
        #expect(buffer.insert(next).map(\.text) == ["He", "was", "not"])
    }
}

struct LocalAgreementSessionTests {
    /// Feeds the stream in 0.25 s pieces and steps every `stepSeconds`, as the runner does.
    private func stream(_ session: LocalAgreementSession, seconds: Double, stepSeconds: Double = 1) async throws -> [StreamingEvent] {
        var events: [StreamingEvent] = [], position = 0
        let piece = 4_000, total = Int(seconds * 16_000)
        while position < total {
            let count = min(piece, total - position)
            await session.append(indexSamples(from: position, count: count))
            position += count
            if await session.unprocessedSeconds >= stepSeconds { events += try await session.step() }
        }
        return events + (try await session.finish())
    }

    @Test func committedWordsAreNeverRetractedAndMakeTheFinalText() async throws {
        let spoken = timeline(count: 100)
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 51)
        let session = LocalAgreementSession(recognizer: recognizer)
        let events = try await stream(session, seconds: 51)
        var committed: [TimedWord] = []
        var finals: [Transcript] = []
        for event in events {
            switch event {
            case .committed(let words):
                // Appends only: every new word starts after the last committed one ended.
                if let last = committed.last, let first = words.first { #expect(first.start >= last.end) }
                committed += words
            case .final(let transcript): finals.append(transcript)
            case .partial: break
            }
        }
        // Every word of the timeline, once, in order; no guess and no misheard word.
        #expect(committed.map(\.text) == spoken.map(\.text))
        for (got, expected) in zip(committed, spoken) {
            #expect(abs(got.start - expected.start) < 1e-3 && abs(got.end - expected.end) < 1e-3)
        }
        let final = try #require(finals.last)
        #expect(finals.count == 1)
        #expect(final.words == committed)
        #expect(final.segments.count == 13)  // 12 sentences of 8 words, then 4 words
        #expect(final.segments.first?.text == "w0 w1 w2 w3 w4 w5 w6 w7.")
    }

    @Test func theBufferStaysBoundedOverALongStream() async throws {
        let spoken = timeline(count: 600)  // 300 s
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 301)
        let session = LocalAgreementSession(recognizer: recognizer)
        _ = try await stream(session, seconds: 301)
        // Cut at sentence ends (every 4 s) once past 15 s: a step never decodes 16 s and more.
        #expect(recognizer.longestBuffer < StreamingOptions.defaultTrimSeconds + 1.01)
        #expect(await session.committedWords.count == 600)
    }

    @Test func thePromptIsTheLastWholeCommittedWordsBeforeTheBuffer() async throws {
        // Words of several lengths, so the prompt's 200 characters rarely end on a word boundary.
        let spoken = timeline(count: 400).enumerated().map { i, word in
            TimedWord(text: String(repeating: "ab", count: i % 4) + word.text, start: word.start, end: word.end)
        }
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 201)
        let session = LocalAgreementSession(recognizer: recognizer)
        _ = try await stream(session, seconds: 201)
        let texts = spoken.map(\.text)
        #expect(recognizer.prompts.count > 100)
        for prompt in recognizer.prompts {
            let words = prompt.split(separator: " ").map(String.init)
            #expect(prompt.count <= StreamingOptions().promptCharacters)
            // A run of whole spoken words in order: a fragment would be copied by Whisper.
            guard let first = texts.firstIndex(of: words[0]) else {
                Issue.record("the prompt starts mid-word: \(prompt.prefix(30))…")
                continue
            }
            #expect(Array(texts[first..<min(texts.count, first + words.count)]) == words)
        }
    }

    /// Once the language is known to be written with spaces, every pass bans Whisper's bare-space
    /// token; a language without spaces (Chinese) keeps it, since there " 世界" is " " + "世界".
    @Test func theBareSpaceIsBannedOnlyForALanguageWrittenWithSpaces() async throws {
        let english = TimelineRecognizer(words: timeline(count: 20), streamEnd: 11)
        _ = try await stream(LocalAgreementSession(recognizer: english), seconds: 11)
        // The first pass detects English; every pass after it bans the bare space.
        #expect(english.requests.first.map { $0.suppressBareSpace == false && $0.language == nil } == true)
        #expect(english.requests.count > 5 && english.requests.dropFirst().allSatisfy { $0.suppressBareSpace && $0.language == "en" })

        let chinese = TimelineRecognizer(words: timeline(count: 20), streamEnd: 11)
        chinese.language = "zh"
        _ = try await stream(LocalAgreementSession(recognizer: chinese), seconds: 11)
        #expect(chinese.requests.count > 5 && chinese.requests.dropFirst().allSatisfy { !$0.suppressBareSpace && $0.language == "zh" })
    }

    @Test func wordsPiledAtTheBufferEndAreNotCommittedBeforeTheyAreSpoken() async throws {
        let spoken = timeline(count: 60)
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 31)
        recognizer.guessesAhead = true
        let session = LocalAgreementSession(recognizer: recognizer)
        _ = try await stream(session, seconds: 31)
        let committed = await session.committedWords
        #expect(committed.map(\.text) == spoken.map(\.text))
        for (got, expected) in zip(committed, spoken) {
            #expect(abs(got.start - expected.start) < 1e-3, "\(got.text) committed at \(got.start) s, spoken at \(expected.start) s")
        }
    }

    @Test func speechWithoutSentenceEndsIsCutAtTheMaximumBuffer() async throws {
        let spoken = (0..<200).map { i in TimedWord(text: "w\(i)", start: 0.5 + Double(i) * 0.5, end: 0.9 + Double(i) * 0.5) }
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 101)
        let session = LocalAgreementSession(recognizer: recognizer)
        _ = try await stream(session, seconds: 101)
        #expect(recognizer.longestBuffer <= StreamingOptions.defaultMaxBufferSeconds + 1.01)
        #expect(await session.committedWords.map(\.text) == spoken.map(\.text))
    }

    @Test func aMachineTooSlowForTwoPassesPerBufferLosesNoWords() async throws {
        // Steps 30 s apart: every buffer passes `maxBufferSeconds` before a second pass can agree,
        // so the forced cut commits what the newest pass heard before it.
        let spoken = (0..<240).map { i in TimedWord(text: "w\(i)", start: 0.5 + Double(i) * 0.5, end: 0.9 + Double(i) * 0.5) }
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 121)
        recognizer.mishears = false
        let session = LocalAgreementSession(recognizer: recognizer)
        _ = try await stream(session, seconds: 121, stepSeconds: 30)
        #expect(await session.committedWords.map(\.text) == spoken.map(\.text))
        #expect(recognizer.longestBuffer <= 30 + StreamingOptions().keepOnForcedCutSeconds + 0.01)
    }

    @Test func theRunnerEndsWithTheFinalTranscriptAfterTheAudioEnds() async throws {
        let spoken = timeline(count: 16)
        let session = LocalAgreementSession(recognizer: TimelineRecognizer(words: spoken, streamEnd: 9))
        let pieces = stride(from: 0, to: 16_000 * 9, by: 1_600).map { indexSamples(from: $0, count: 1_600) }
        let audio = AsyncStream<[Float]> { continuation in
            for piece in pieces { continuation.yield(piece) }
            continuation.finish()
        }
        let seen = EventLog()
        let transcript = try await StreamingRunner.run(session: session, audio: audio) { event, _ in await seen.add(event) }
        #expect(transcript.words.map(\.text) == spoken.map(\.text))
        let events = await seen.events
        #expect(events.last == .final(transcript))
        let committed = events.flatMap { event -> [TimedWord] in if case .committed(let w) = event { return w } else { return [] } }
        #expect(committed == transcript.words)
    }

    /// A file fed as fast as it decodes (`scriba live --no-pace`) arrives all at once: throttled, the
    /// runner appends it a step at a time, so every word is heard and no buffer outgrows the cap.
    /// Unthrottled, the first step would see all 121 s and the forced cut would skip most of it.
    @Test func aFileFedAtOnceLosesNoWordsWhenThrottled() async throws {
        let spoken = timeline(count: 240)  // 120 s
        let recognizer = TimelineRecognizer(words: spoken, streamEnd: 121)
        let session = LocalAgreementSession(recognizer: recognizer)
        let pieces = stride(from: 0, to: 16_000 * 121, by: 1_600).map { indexSamples(from: $0, count: 1_600) }
        let audio = AsyncStream<[Float]> { continuation in
            for piece in pieces { continuation.yield(piece) }
            continuation.finish()
        }
        let transcript = try await StreamingRunner.run(session: session, audio: audio, throttled: true) { _, _ in }
        #expect(transcript.words.map(\.text) == spoken.map(\.text))
        #expect(recognizer.longestBuffer <= StreamingOptions().maxBufferSeconds + 1.5)
    }
}

private actor EventLog {
    var events: [StreamingEvent] = []
    func add(_ event: StreamingEvent) { events.append(event) }
}

/// Whisper base, live, on two LibriVox fixture clips joined with 1.5 s pauses (~15 s).
struct WhisperLiveTests {
    static func timeline() throws -> [Float] {
        var samples: [Float] = []
        for name in ["0870", "0890"] {
            let url = WhisperPipelineFixtures.folder.appendingPathComponent("librivox-\(name).wav")
            samples += [Float](repeating: 0, count: 24_000)
            samples += try WAVReader.readMono(Data(contentsOf: url), source: url.lastPathComponent).samples
        }
        return samples
    }

    /// Word edit distance over lowercased letters and digits, per reference word.
    static func wordErrorRate(_ hypothesis: String, reference: String) -> Double {
        func words(_ text: String) -> [String] {
            text.lowercased().split(whereSeparator: \.isWhitespace).map { String($0.filter { $0.isLetter || $0.isNumber }) }.filter { !$0.isEmpty }
        }
        let h = words(hypothesis), r = words(reference)
        var row = Array(0...h.count)
        for i in 1...max(1, r.count) where !r.isEmpty {
            var next = [i] + [Int](repeating: 0, count: h.count)
            for j in 1...max(1, h.count) where !h.isEmpty {
                next[j] = min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1))
            }
            row = next
        }
        return Double(row[h.count]) / Double(max(1, r.count))
    }

    @Test(.enabled(if: WhisperPipelineFixtures.weightsInstalled, Comment(rawValue: TestLocations.whisperBaseMissing)))
    func liveTextMatchesOfflineAndCommitsOnlyAppend() async throws {
        let recognizer = try WhisperRecognizer(folder: WhisperPipelineFixtures.weights)
        let samples = try Self.timeline()
        let offline = try await recognizer.transcribe(AudioBuffer(samples: samples, sampleRate: 16_000),
                                                      options: RecognitionOptions(language: try Language.parse("en")))
        let session = try StreamingSessions.make(recognizer: recognizer, options: StreamingOptions(language: try Language.parse("en")))
        var committed: [TimedWord] = [], events: [StreamingEvent] = []
        var position = 0
        // 2 s steps (a debug build decodes slower than real time; the runner's steps grow alike).
        while position < samples.count {
            let end = min(samples.count, position + 32_000)
            await session.append(Array(samples[position..<end]))
            position = end
            events += try await session.step()
        }
        events += try await session.finish()
        var final: Transcript?
        for event in events {
            switch event {
            case .committed(let words):
                if let last = committed.last, let first = words.first { #expect(first.start >= last.start) }
                committed += words
            case .final(let transcript): final = transcript
            case .partial: break
            }
        }
        let transcript = try #require(final)
        #expect(transcript.words == committed)
        let wer = Self.wordErrorRate(transcript.text, reference: offline.text)
        print("whisper-base live vs offline on 2 clips: WER \(wer), \(committed.count) words, \(events.count) events")
        print("live: \(transcript.text)\noffline: \(offline.text)")
        #expect(wer <= 0.05)
        // Each clip's words lie inside the clip (1.5 s pauses between clips, DTW ±0.3 s).
        #expect(committed.allSatisfy { $0.end <= Double(samples.count) / 16_000 + 0.05 && $0.start >= 1.2 })
    }
}
