import Synchronization
import ScribaAudio
@testable import ScribaPipeline

// A fake engine that "hears" which word of which clip each sample belongs to: a test signal holds
// ±(0.25 + code/10 000) for every sample of word `code` (code = clip × 100 + word + 1) and 0 in
// pauses — every word equally loud (≈ −11 dBFS) to the VAD, and decodable sample by sample.
// Recognition and alignment then depend only on the samples the engine is given, so chunk offsets,
// cuts and overlap handling are checked exactly.

/// Sample value for a word code (alternating sign so the signal has no DC).
func earSample(code: Int, index: Int) -> Float {
    let value = earBase + Float(code) / 10_000
    return index % 2 == 0 ? value : -value
}

let earBase: Float = 0.25

/// Runs of equal non-zero code in `audio`: (code, startSample, endSample).
func earRuns(_ audio: AudioBuffer) -> [(code: Int, start: Int, end: Int)] {
    var runs: [(code: Int, start: Int, end: Int)] = []
    for (i, sample) in audio.samples.enumerated() {
        if sample == 0 { continue }
        let code = Int(((abs(sample) - earBase) * 10_000).rounded())
        if let last = runs.last, last.code == code, last.end == i {
            runs[runs.count - 1].end = i + 1
        } else {
            runs.append((code, i, i + 1))
        }
    }
    return runs
}

struct EarRecognizer: SpeechRecognizer {
    let modelName = "ear"
    let maxChunkDuration: Double
    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        let text = earRuns(audio).map { "w\($0.code)" }.joined(separator: " ")
        return Recognition(language: text.isEmpty ? "" : "en", text: text,
                           segments: text.isEmpty ? [] : [TranscriptSegment(start: 0, end: audio.duration, text: text)])
    }
}

struct EarAligner: ForcedAligner {
    let modelName = "ear-aligner"
    let maxChunkDuration: Double = 3600
    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        let rate = Double(audio.sampleRate)
        return earRuns(audio).map {
            TimedWord(text: "w\($0.code)", start: Double($0.start) / rate, end: Double($0.end) / rate)
        }
    }
}

/// A signal of clips (each a run of words without gaps) separated by pauses, with the true word
/// intervals in seconds.
struct EarSignal {
    var audio: AudioBuffer
    /// code → (start, end) seconds of that word in the file.
    var words: [(code: Int, start: Double, end: Double)]
    /// clip → (start, end) seconds.
    var clips: [(start: Double, end: Double)]

    /// `wordDurations[clip]` lists each word's length; `pauses[clip]` the silence after that clip.
    init(wordDurations: [[Double]], pauses: [Double], sampleRate: Int = 16_000) {
        var samples: [Float] = []
        var words: [(code: Int, start: Double, end: Double)] = []
        var clips: [(start: Double, end: Double)] = []
        let rate = Double(sampleRate)
        for (clip, durations) in wordDurations.enumerated() {
            let clipStart = Double(samples.count) / rate
            for (w, duration) in durations.enumerated() {
                let code = clip * 100 + w + 1
                let start = samples.count
                let count = Int(duration * rate)
                for i in 0..<count { samples.append(earSample(code: code, index: i)) }
                words.append((code, Double(start) / rate, Double(start + count) / rate))
            }
            clips.append((clipStart, Double(samples.count) / rate))
            samples += [Float](repeating: 0, count: Int(pauses[clip] * rate))
        }
        audio = AudioBuffer(samples: samples, sampleRate: sampleRate)
        self.words = words
        self.clips = clips
    }
}

/// A value shared with `@Sendable` closures in tests.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
