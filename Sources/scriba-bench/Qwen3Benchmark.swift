// `scriba-bench qwen3 --model DIR [--seconds 30] [--tokens-per-second 4] [--precision bf16] [--runs 3]
// [--audio FILE]` and `scriba-bench aligner --model DIR [--seconds 30] [--precision bf16] [--runs 3]`:
// Qwen3-ASR / Qwen3-ForcedAligner end to end on one input, per stage (load, audio decode, log-mel,
// encoder, prefill, decode steps / aligner forward), with RTF, tokens/s, ms/token, peak RSS (VmHWM)
// and the weights' bytes in the chosen precision. Random full-size checkpoints never emit a stop
// token, so the ASR decodes a fixed count (tokens-per-second × seconds) with the language forced.
// The input is FILE, or the LibriVox fixture clips repeated to `seconds` (written to a temp WAV so
// the decode stage is timed like a user's file). Medians over the runs; every run reloads the model.

import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

struct Qwen3BenchmarkError: Error, CustomStringConvertible {
    var description: String
}

struct Qwen3BenchmarkOptions {
    var model: URL?
    var seconds = 30.0
    var tokensPerSecond = 4.0
    var precision: WeightPrecision?
    var runs = 3
    var audio: URL?

    static func usage(_ command: String) -> String {
        """
        usage: scriba-bench \(command) --model DIR [--seconds 30] [--precision f32|bf16|int8] [--runs 3] [--audio FILE]\
        \(command == "qwen3" ? " [--tokens-per-second 4]" : "")
          DIR: a Qwen3-ASR\(command == "aligner" ? "-ForcedAligner" : "") folder (full-size random ones:
          python3 scripts/fixtures/make_qwen3_fixtures.py --full-size DIR). --precision defaults to the
          checkpoint's dtype. FILE defaults to Tests/Fixtures/whisper/*.wav repeated to --seconds.
        """
    }

    init(arguments: [String], command: String) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw Qwen3BenchmarkError(description: "\(flag) needs a value") }
            return next
        }
        func positive(_ flag: String) throws -> Double {
            guard let number = Double(try value(flag)), number > 0 else {
                throw Qwen3BenchmarkError(description: "\(flag) needs a positive number")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--model": model = URL(fileURLWithPath: try value(argument))
            case "--seconds": seconds = try positive(argument)
            case "--tokens-per-second": tokensPerSecond = try positive(argument)
            case "--runs": runs = Int(try positive(argument))
            case "--audio": audio = URL(fileURLWithPath: try value(argument))
            case "--precision":
                let word = try value(argument)
                guard let parsed = WeightPrecision(argument: word) else {
                    throw Qwen3BenchmarkError(description: "--precision \(word): use f32, bf16 or int8")
                }
                precision = parsed
            default: throw Qwen3BenchmarkError(description: "unknown argument \(argument)")
            }
        }
        guard model != nil else { throw Qwen3BenchmarkError(description: "--model DIR is required") }
    }
}

/// Stage times of one run, seconds.
struct Qwen3StageTimes {
    var values: [String: Double] = [:]
}

enum Qwen3Bench {
    static let clock = ContinuousClock()

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = clock.now
        try body()
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// kB figures from /proc/self/status (VmHWM: peak RSS, VmRSS: current).
    static func status(_ key: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.split(separator: " ").compactMap { Double($0) }
            return (digits.first ?? 0) * 1024
        }
        return 0
    }

    /// The benchmark input: `audio`, or the LibriVox fixture clips repeated to `seconds` in a temp WAV.
    static func input(options: Qwen3BenchmarkOptions) throws -> URL {
        if let audio = options.audio { return audio }
        let folder = URL(fileURLWithPath: "Tests/Fixtures/whisper")
        let clips = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".wav") }.sorted() ?? []
        guard !clips.isEmpty else {
            throw Qwen3BenchmarkError(description: "no --audio FILE and no Tests/Fixtures/whisper/*.wav here; run from the repository root")
        }
        var pool: [Float] = []
        for clip in clips { pool += try AudioFile.load(folder.appendingPathComponent(clip)).audio.samples }
        let count = Int(options.seconds * 16_000)
        let samples = (0..<count).map { pool[$0 % pool.count] }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-bench-\(Int(options.seconds))s.wav")
        try writeWAV(samples, to: url)
        return url
    }

    /// 16 kHz mono 16-bit PCM.
    static func writeWAV(_ samples: [Float], to url: URL) throws {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + samples.count * 2))
        data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
        append(UInt32(16_000)); append(UInt32(32_000)); append(UInt16(2)); append(UInt16(16))
        data.append(contentsOf: Array("data".utf8)); append(UInt32(samples.count * 2))
        for s in samples { append(Int16(max(-1, min(1, s)) * 32_767)) }
        try data.write(to: url, options: .atomic)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func gb(_ bytes: Double) -> String { Format.fixed(bytes / 1e9, digits: 2) + " GB" }

    static func printStages(_ runs: [Qwen3StageTimes], order: [String], audioSeconds: Double) {
        print("  stage              median s   (runs)")
        for stage in order {
            let values = runs.map { $0.values[stage] ?? 0 }
            let list = values.map { Format.fixed($0, digits: 3) }.joined(separator: ", ")
            print("  \(stage.padding(toLength: 18, withPad: " ", startingAt: 0)) \(Format.padded(Format.fixed(median(values), digits: 3), 8))   (\(list))")
        }
        _ = audioSeconds
    }
}

struct Qwen3Benchmark {
    static func main(_ arguments: [String]) {
        let options: Qwen3BenchmarkOptions
        do {
            options = try Qwen3BenchmarkOptions(arguments: arguments, command: "qwen3")
            try run(options)
        } catch {
            FileHandle.standardError.write(Data("scriba-bench qwen3: \(error)\n\(Qwen3BenchmarkOptions.usage("qwen3"))\n".utf8))
            exit(2)
        }
    }

    static func run(_ options: Qwen3BenchmarkOptions) throws {
        let input = try Qwen3Bench.input(options: options)
        let tokens = max(1, Int((options.tokensPerSecond * options.seconds).rounded()))
        var runs: [Qwen3StageTimes] = []
        var loadRSS = 0.0, weightBytes = 0, precision = ""
        print("qwen3: \(options.model!.path), input \(input.lastPathComponent) (\(Format.fixed(options.seconds, digits: 0)) s), "
              + "\(tokens) decoded tokens forced (English), \(options.runs) runs")
        print("  many-row products: \(OneDNN.status); threads \(ComputeThreads.count)")
        for _ in 0..<options.runs {
            var times = Qwen3StageTimes()
            var model: Qwen3ASR!
            times.values["load"] = try Qwen3Bench.seconds { model = try Qwen3ASR(folder: options.model!, precision: options.precision) }
            loadRSS = max(loadRSS, Qwen3Bench.status("VmRSS"))
            weightBytes = model.weightBytes
            precision = model.precision.description
            var samples: [Float] = []
            times.values["audio decode"] = try Qwen3Bench.seconds { samples = try AudioFile.load(input).audio.samples }
            var mel = Tensor(zeros: [0])
            let logMel = LogMel(melBins: model.config.audio.numMelBins)
            times.values["log-mel"] = Qwen3Bench.seconds { mel = logMel.compute(samples) }
            var audio = Tensor(zeros: [0])
            times.values["encoder"] = try Qwen3Bench.seconds { audio = try model.encodeAudio(mel: mel) }
            let prompt = try model.promptIDs(audioTokens: audio.shape[0], language: "English")
            let result = try model.timedGreedyDecode(promptIDs: prompt, audio: audio, maxNewTokens: tokens, stopTokens: [])
            times.values["prefill"] = result.prefillSeconds
            times.values["decode steps"] = result.stepSeconds
            times.values["prompt tokens"] = Double(prompt.count)
            times.values["decoded tokens"] = Double(result.ids.count)
            runs.append(times)
            model = nil
        }
        let order = ["load", "audio decode", "log-mel", "encoder", "prefill", "decode steps"]
        Qwen3Bench.printStages(runs, order: order, audioSeconds: options.seconds)
        let m = { (key: String) in Qwen3Bench.median(runs.map { $0.values[key] ?? 0 }) }
        let decoded = m("decoded tokens"), steps = max(1, decoded - 1)
        let total = ["audio decode", "log-mel", "encoder", "prefill", "decode steps"].reduce(0) { $0 + m($1) }
        print("  precision \(precision); prompt \(Int(m("prompt tokens"))) tokens, \(Int(decoded)) decoded")
        print("  transcription (no load) \(Format.fixed(total, digits: 2)) s for \(Format.fixed(options.seconds, digits: 0)) s: RTF "
              + "\(Format.fixed(total / options.seconds, digits: 3)); decode \(Format.fixed(1000 * m("decode steps") / steps, digits: 1)) ms/token "
              + "(\(Format.fixed(steps / m("decode steps"), digits: 2)) tokens/s); prefill \(Format.fixed(m("prompt tokens") / m("prefill"), digits: 0)) tokens/s")
        let peak = Qwen3Bench.status("VmHWM")
        print("  weights \(Qwen3Bench.gb(Double(weightBytes))) (\(precision)); RSS after load \(Qwen3Bench.gb(loadRSS)); peak RSS \(Qwen3Bench.gb(peak)) "
              + "= \(Format.fixed(peak / Double(weightBytes), digits: 2)) × weights")
    }
}
