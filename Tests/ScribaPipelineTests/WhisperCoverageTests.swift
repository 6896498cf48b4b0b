import Foundation
import Testing
import ScribaAudio
import ScribaModels
@testable import ScribaPipeline
import ScribaTestSupport

// Coverage on real audio with real Whisper base weights (skipped, with the reason, when
// ~/.cache/scriba/models/whisper-base is absent; CI fetches it with scripts/fetch-whisper-base).

private enum LibriVox {
    /// The five LibriVox clips (Tests/Fixtures/README.md) with the pocketsphinx reference
    /// transcriptions (lower case; "mister" is what Whisper writes as "Mr.").
    static let clips: [(name: String, words: [String])] = [
        ("0870", "and mister john dashwood had then leisure to consider how much there might be prudently in his power to do for them"),
        ("0880", "he was not an ill disposed young man"),
        ("0890", "unless to be rather cold hearted and rather selfish is to be ill disposed"),
        ("0920", "had he married a more a amiable woman he might have been made still more respectable than he was"),
        ("0930", "he might even have been made amiable himself"),
    ].map { ($0.0, $0.1.split(separator: " ").map(String.init)) }

    static func samples(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: WhisperPipelineFixtures.folder.appendingPathComponent("librivox-\(name).wav"))
        return try WAVReader.readMono(data, source: name).samples
    }

    /// Lower-case letters only; "Mr." → "mister"; hyphenated words split as the reference writes them.
    static func normalized(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && $0 != "'" }.map { $0 == "mr" ? "mister" : String($0) }
            .flatMap { $0 == "coldhearted" ? ["cold", "hearted"] : [$0] }
    }

    /// Longest common subsequence length: words found in order.
    static func inOrder(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var current = [Int](repeating: 0, count: b.count + 1)
            for (j, y) in b.enumerated() { current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j]) }
            previous = current
        }
        return previous[b.count]
    }
}

private func whisperOrSkipReason() throws -> WhisperRecognizer? {
    guard WhisperPipelineFixtures.weightsInstalled else {
        print("skipped: Whisper base weights not at \(WhisperPipelineFixtures.weights.path) (run scripts/fetch-whisper-base)")
        return nil
    }
    return try WhisperRecognizer(folder: WhisperPipelineFixtures.weights)
}

@Suite(.serialized)
struct WhisperCoverageTests {
    /// ~10 minutes: the five clips in turn, 66 times, separated by 0.4–3 s of faint noise (−57 dBFS)
    /// and, after every 7th clip, 25 s of near-silence (−75 dBFS) that the VAD keeps from the model.
    func tenMinutes() throws -> (audio: AudioBuffer, spans: [(clip: Int, start: Double, end: Double)]) {
        let sources = try LibriVox.clips.map { try LibriVox.samples($0.name) }
        var rng = SplitMix64(seed: 11)
        var samples: [Float] = []
        samples.reserveCapacity(600 * 16_000)
        var spans: [(clip: Int, start: Double, end: Double)] = []
        func noise(seconds: Double, amplitude: Float) {
            for _ in 0..<Int(seconds * 16_000) { samples.append(Float.random(in: -1...1, using: &rng) * amplitude) }
        }
        noise(seconds: 1, amplitude: 0.0025)
        for index in 0..<66 {
            let clip = index % sources.count
            let start = Double(samples.count) / 16_000
            samples += sources[clip]
            spans.append((clip, start, Double(samples.count) / 16_000))
            if index % 7 == 6 {
                noise(seconds: 25, amplitude: 0.0003)
            } else {
                noise(seconds: Double.random(in: 0.4...3, using: &rng), amplitude: 0.0025)
            }
        }
        return (AudioBuffer(samples: samples, sampleRate: 16_000), spans)
    }

    /// Every clip's words appear, in order, timed inside that clip's span; nothing is heard in the
    /// gaps; every chunk is complete.
    @Test func tenMinutesOfClipsAreFullyCoveredWithTimesInsideEachClip() async throws {
        guard let whisper = try whisperOrSkipReason() else { return }
        let (audio, spans) = try tenMinutes()
        #expect(audio.duration > 590 && audio.duration < 660)
        let pipeline = TranscriptionPipeline(recognizer: whisper)
        let options = PipelineOptions(recognition: .init(language: Language.named("English"), wordTimestamps: true), align: false)
        let clock = ContinuousClock()
        let began = clock.now
        let transcript = try await pipeline.transcribe(audio, options: options)
        let wall = clock.now - began

        let words = transcript.words
        var found = 0
        var worst = Int.max
        let tolerance = 0.3
        // The timeline is split at each clip's end + 0.3 s; a word belongs to the clip its end falls
        // before. Whisper's cross-attention times start a clip's first word ("He") up to 2 s early,
        // in the noise before the clip (measured before `trimWordsToSpeech`: 4 such words, one
        // reaching 0.6 s into the previous clip); the pipeline trims them to the speech.
        var assigned = Set<Int>()
        var earlyStarts: [String] = []
        for (index, span) in spans.enumerated() {
            let previousEnd = index > 0 ? spans[index - 1].end : 0
            let inside = words.indices.filter { i in
                words[i].end > previousEnd + (index > 0 ? tolerance : 0) && words[i].end <= span.end + tolerance
            }
            assigned.formUnion(inside)
            for i in inside where words[i].start < span.start - tolerance {
                earlyStarts.append("\(words[i].text)@\(String(format: "%.2f", words[i].start)) (clip at \(String(format: "%.2f", span.start)))")
            }
            let heard = inside.flatMap { LibriVox.normalized(words[$0].text) }
            let reference = LibriVox.clips[span.clip].words
            let matched = LibriVox.inOrder(reference, heard)
            worst = min(worst, matched - reference.count)
            // One word of slack: the reference's disfluency "a more a amiable" is read "a more amiable".
            if matched >= reference.count - 1 { found += 1 }
        }
        let stray = words.indices.filter { !assigned.contains($0) }.map { words[$0] }
        let chunks = transcript.chunks ?? []
        let silent = chunks.count { $0.note?.hasPrefix("silent") == true }
        print("""
            10-minute coverage: \(found)/\(spans.count) clips found in order inside their spans (worst clip \(worst) words), \
            \(stray.count) words outside every clip, \(earlyStarts.count) first words starting > 0.3 s before their clip \(earlyStarts), \(chunks.count) chunks (\(silent) silent, not sent to the model), \
            statuses \(Dictionary(grouping: chunks, by: \.status.rawValue).mapValues(\.count)), \
            audio \(String(format: "%.1f", audio.duration)) s, wall \(wall)
            """)
        #expect(found == spans.count, "stray: \(stray.map(\.text))")
        #expect(earlyStarts.isEmpty, "words starting > 0.3 s before their clip: \(earlyStarts)")
        #expect(stray.isEmpty, "words outside every clip: \(stray.map { "\($0.text)@\($0.start)" })")
        #expect(transcript.isComplete && chunks.allSatisfy { $0.status == .ok || $0.status == .empty })
        #expect(silent >= 1, "the 25 s near-silent gaps hold whole chunks the model never sees")
        // Chunks tile the file.
        #expect(chunks.first?.start == 0 && abs((chunks.last?.end ?? 0) - audio.duration) < 1e-6)
    }

    /// Two minutes of digital silence, white noise, faint noise, low rumble and mains hum: no text,
    /// every chunk `empty`, no loop.
    @Test func silenceAndNoiseGiveAnEmptyTranscript() async throws {
        guard let whisper = try whisperOrSkipReason() else { return }
        var rng = SplitMix64(seed: 3)
        var samples: [Float] = []
        let rate = 16_000
        func white(_ seconds: Int, _ amplitude: Float) {
            for _ in 0..<(seconds * rate) { samples.append(Float.random(in: -1...1, using: &rng) * amplitude) }
        }
        samples += [Float](repeating: 0, count: 20 * rate)
        white(20, 0.08)
        white(20, 0.0005)
        var rumble: Float = 0
        for _ in 0..<(20 * rate) {
            rumble = 0.995 * rumble + Float.random(in: -1...1, using: &rng) * 0.01
            samples.append(rumble)
        }
        for i in 0..<(20 * rate) {
            let t = Float(i) / Float(rate)
            samples.append(0.1 * sinf(2 * .pi * 50 * t) + 0.03 * sinf(2 * .pi * 150 * t))
        }
        white(20, 0.01)
        let audio = AudioBuffer(samples: samples, sampleRate: rate)
        #expect(audio.duration == 120)
        let transcript = try await TranscriptionPipeline(recognizer: whisper)
            .transcribe(audio, options: PipelineOptions(recognition: .init(language: Language.named("English")), align: false))
        let chunks = transcript.chunks ?? []
        print("silence+noise: chunks \(chunks.map { "\(Int($0.start))–\(Int($0.end)) \($0.status.rawValue) \($0.note ?? "")" })")
        #expect(transcript.text.isEmpty, "invented: \(transcript.text)")
        #expect(transcript.segments.isEmpty)
        #expect(!chunks.isEmpty && chunks.allSatisfy { $0.status == .empty })
    }

    /// Conditioned on the sentence before it, Whisper base writes a bare space and a fragment where
    /// nothing was said ("woman nd he might have been made nd still", as faster-whisper does); with
    /// the bare space banned (what live sessions do) the spoken words come out.
    @Test func banningTheBareSpaceRemovesTheFragmentsAPromptBrings() async throws {
        guard let whisper = try whisperOrSkipReason() else { return }
        let clip = AudioBuffer(samples: try LibriVox.samples("0920"), sampleRate: 16_000)
        var options = RecognitionOptions(language: try Language.parse("en"), context:
            "And Mr. John Dashwood had then leisure to consider how much there might be prudently in his power to do for them.")
        let plain = try await whisper.transcribe(clip, options: options)
        #expect(plain.text.split(separator: " ").filter { $0 == "nd" }.count == 2, "\(plain.text)")
        options.suppressBareSpace = true
        let banned = try await whisper.transcribe(clip, options: options)
        #expect(!banned.text.split(separator: " ").contains("nd"), "\(banned.text)")
        #expect(LibriVox.normalized(banned.text).joined(separator: " ")
            == "had he married a more amiable woman he might have been made still more respectable than he was")
    }

    /// Whisper's initial prompt reaches the decoder as `<|startofprev|>` + its tokens.
    @Test func contextBecomesWhispersInitialPrompt() throws {
        guard let whisper = try whisperOrSkipReason() else { return }
        let clip = try WhisperPipelineFixtures.clip()
        let mel = WhisperRecognizer.logMel(samples: clip.samples, melBins: whisper.model.config.melBins)
        let transcriber = try WhisperTranscriber(model: whisper.model, tokenizer: whisper.tokenizer)
        var options = WhisperOptions(language: "en")
        options.initialPrompt = "  Dashwood, Norland Park. "
        let result = try transcriber.transcribe(mel: mel, options: options)
        let expected = [whisper.tokenizer.id(of: "<|startofprev|>")!] + whisper.tokenizer.encode(" Dashwood, Norland Park.", allowSpecial: false)
        #expect(Array(result.calls[0].prompt.prefix(expected.count)) == expected)
        #expect(LibriVox.normalized(result.text).contains("dashwood"))
    }
}
