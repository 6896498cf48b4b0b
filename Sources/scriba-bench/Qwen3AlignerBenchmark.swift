// `scriba-bench aligner --model DIR [--seconds 30] [--precision bf16] [--runs 3] [--audio FILE]`:
// Qwen3-ForcedAligner on one input with a transcript of ~2.5 words per second (a fixed English
// text repeated), per stage: load, audio decode, log-mel, encoder, then the forward pass over
// audio + text and the slot arg-max (the whole `align` minus its encoder), RTF and peak RSS.

import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

struct Qwen3AlignerBenchmark {
    static let words = "the quick brown fox jumps over the lazy dog while seven old men sing about a river".split(separator: " ").map(String.init)

    static func main(_ arguments: [String]) {
        do {
            try run(try Qwen3BenchmarkOptions(arguments: arguments, command: "aligner"))
        } catch {
            FileHandle.standardError.write(Data("scriba-bench aligner: \(error)\n\(Qwen3BenchmarkOptions.usage("aligner"))\n".utf8))
            exit(2)
        }
    }

    static func run(_ options: Qwen3BenchmarkOptions) throws {
        let input = try Qwen3Bench.input(options: options)
        let unitCount = max(1, Int(options.seconds * 2.5))
        let units = (0..<unitCount).map { words[$0 % words.count] }
        var runs: [Qwen3StageTimes] = []
        var loadRSS = 0.0, weightBytes = 0, precision = ""
        print("aligner: \(options.model!.path), input \(input.lastPathComponent) (\(Format.fixed(options.seconds, digits: 0)) s), "
              + "\(unitCount) words, \(options.runs) runs")
        print("  many-row products: \(OneDNN.status); threads \(ComputeThreads.count)")
        for _ in 0..<options.runs {
            var times = Qwen3StageTimes()
            var aligner: Qwen3ForcedAligner!
            times.values["load"] = try Qwen3Bench.seconds {
                aligner = try Qwen3ForcedAligner(folder: options.model!, precision: options.precision)
            }
            loadRSS = max(loadRSS, Qwen3Bench.status("VmRSS"))
            weightBytes = aligner.model.weightBytes
            precision = aligner.model.precision.description
            var samples: [Float] = []
            times.values["audio decode"] = try Qwen3Bench.seconds { samples = try AudioFile.load(input).audio.samples }
            var mel = Tensor(zeros: [0])
            let logMel = LogMel(melBins: aligner.model.config.audio.numMelBins)
            times.values["log-mel"] = Qwen3Bench.seconds { mel = logMel.compute(samples) }
            times.values["encoder"] = try Qwen3Bench.seconds { _ = try aligner.model.encodeAudio(mel: mel) }
            var alignment: Qwen3Alignment?
            let whole = try Qwen3Bench.seconds { alignment = try aligner.align(mel: mel, units: units) }
            times.values["forward + slots"] = max(0, whole - times.values["encoder"]!)
            times.values["slots"] = Double(alignment?.rawBins.count ?? 0)
            runs.append(times)
            aligner = nil
        }
        Qwen3Bench.printStages(runs, order: ["load", "audio decode", "log-mel", "encoder", "forward + slots"], audioSeconds: options.seconds)
        let m = { (key: String) in Qwen3Bench.median(runs.map { $0.values[key] ?? 0 }) }
        let total = ["audio decode", "log-mel", "encoder", "forward + slots"].reduce(0) { $0 + m($1) }
        print("  precision \(precision); \(Int(m("slots"))) timestamp slots")
        print("  alignment (no load) \(Format.fixed(total, digits: 2)) s for \(Format.fixed(options.seconds, digits: 0)) s: RTF \(Format.fixed(total / options.seconds, digits: 3))")
        let peak = Qwen3Bench.status("VmHWM")
        print("  weights \(Qwen3Bench.gb(Double(weightBytes))) (\(precision)); RSS after load \(Qwen3Bench.gb(loadRSS)); peak RSS \(Qwen3Bench.gb(peak)) "
              + "= \(Format.fixed(peak / Double(weightBytes), digits: 2)) × weights")
    }
}
