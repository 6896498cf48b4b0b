import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

/// Qwen3-ForcedAligner forward time (audio encoder + one prefill + arg-max at the slots) for one
/// clip, median of 3 after a warm-up. Needs a model folder and a clip, so it runs only when
/// `SCRIBA_BENCH_ALIGNER` (the folder) and `SCRIBA_BENCH_ALIGNER_AUDIO` (any audio file) are set;
/// `SCRIBA_BENCH_ALIGNER_TEXT` is the text (default: 2.5 filler words per second of audio).
struct AlignerBenchmark: Benchmark {
    let name = "aligner"
    let summary = "Qwen3-ForcedAligner forward pass (set SCRIBA_BENCH_ALIGNER and SCRIBA_BENCH_ALIGNER_AUDIO)"

    func run() {
        let environment = ProcessInfo.processInfo.environment
        guard let folder = environment["SCRIBA_BENCH_ALIGNER"], let audioPath = environment["SCRIBA_BENCH_ALIGNER_AUDIO"] else {
            print("aligner: skipped (set SCRIBA_BENCH_ALIGNER=<model folder> and SCRIBA_BENCH_ALIGNER_AUDIO=<audio file>)")
            return
        }
        do {
            let aligner = try Qwen3ForcedAligner(folder: URL(fileURLWithPath: folder))
            let samples = try AudioFile.load(URL(fileURLWithPath: audioPath)).audio.samples
            let seconds = Double(samples.count) / 16_000
            let text = environment["SCRIBA_BENCH_ALIGNER_TEXT"]
                ?? (0..<max(1, Int(seconds * 2.5))).map { "word\($0 % 50)" }.joined(separator: " ")
            let units = try Qwen3ForcedAligner.units(of: text, language: "English")
            let logMel = LogMel(melBins: aligner.model.config.audio.numMelBins)
            let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
            let mel = logMel.compute(peak > 0 ? samples.map { $0 / peak } : samples)
            var failure: Error?
            let median = Timing.medianSeconds(runs: 3) {
                do { _ = try aligner.align(mel: mel, units: units) } catch { failure = error }
            }
            if let failure { throw failure }
            print("aligner: \(Format.fixed(seconds, digits: 1)) s audio, \(units.count) units: forward \(Format.fixed(median, digits: 2)) s (median of 3), \(Format.fixed(seconds / median, digits: 1))× real time")
        } catch {
            print("aligner: failed: \(error)")
        }
    }
}
