// `scriba-bench diarization FILE [--threads N] [--runs N] [--step SECONDS] [--threshold T] [--turns PATH]`:
// the diarization stage alone (`SpeakerDiarizer.diarizeTimed`) on one 16 kHz file, per stage
// (segmentation, embeddings, clustering, reconstruction): medians over the runs, the real-time factor,
// process CPU seconds and peak RSS (VmHWM). The models load once, before the runs; audio decoding is not
// timed. `--turns` writes the last run's turns as "start end speaker" lines (seconds), for trying
// options against references without a CLI flag for each.
// scripts/bench/diarization times the whole `scriba diarize` process on a 1-hour file instead.

import Foundation
import ScribaAudio
import ScribaPipeline
import ScribaTensor
import ScribaTranscript

enum DiarizationBenchmark {
    static let usage = "usage: scriba-bench diarization FILE [--threads N] [--runs N] [--step SECONDS] [--threshold T] [--turns PATH]"

    static func main(_ arguments: [String]) {
        var file: URL?, turnsFile: URL?, threads: Int?, runs = 3, options = DiarizationOptions()
        var rest = arguments[...]
        func fail(_ why: String) -> Never {
            FileHandle.standardError.write(Data("scriba-bench diarization: \(why)\n\(usage)\n".utf8))
            exit(2)
        }
        func number(_ flag: String) -> Double {
            guard let text = rest.popFirst(), let value = Double(text), value > 0 else { fail("\(flag) needs a positive number") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--threads": threads = Int(number(argument))
            case "--runs": runs = Int(number(argument))
            case "--step": options.stepSeconds = number(argument)
            case "--threshold": options.clusterThreshold = number(argument)
            case "--turns":
                guard let path = rest.popFirst() else { fail("--turns needs a path") }
                turnsFile = URL(fileURLWithPath: path)
            case "-h", "--help", "help": print(usage); exit(0)
            case let flag where flag.hasPrefix("-"): fail("unknown option \(flag)")
            default: file = URL(fileURLWithPath: argument)
            }
        }
        guard let file, runs > 0 else { fail("give one audio file") }
        if let threads { ComputeThreads.set(max(1, threads)) }
        do {
            let audio = try AudioFile.load(file).audio
            let diarizer = try SpeakerDiarizer()
            let seconds = Double(audio.samples.count) / Double(audio.sampleRate)
            var all: [DiarizationTimings] = []
            var speakers = 0, lastTurns: [SpeakerTurn] = []
            let cpuBefore = cpuSeconds()
            for _ in 0..<runs {
                let (turns, timings) = try diarizer.diarizeTimed(audio, options: options)
                all.append(timings)
                speakers = Set(turns.map(\.speaker)).count
                lastTurns = turns
            }
            if let turnsFile {
                try lastTurns.map { String(format: "%.3f %.3f %d\n", $0.start, $0.end, $0.speaker) }.joined()
                    .write(to: turnsFile, atomically: true, encoding: .utf8)
            }
            let cpu = (cpuSeconds() - cpuBefore) / Double(runs)
            func median(_ key: KeyPath<DiarizationTimings, Double>) -> Double { all.map { $0[keyPath: key] }.sorted()[runs / 2] }
            let total = median(\.total)
            print(String(format: "diarization: %@, %.1f s of audio, %d threads, step %.1f s, %d runs (median)",
                         file.lastPathComponent, seconds, ThreadPool.shared.threadCount, options.stepSeconds, runs))
            for (name, key) in [("segmentation", \DiarizationTimings.segmentation), ("embeddings", \.embeddings),
                                ("clustering", \.clustering), ("reconstruction", \.reconstruction)] {
                print("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%8.2f s", median(key)))
            }
            print(String(format: "  total           %8.2f s = %.1fx real time; %.1f CPU s per run; %d embeddings, %d speakers; peak RSS %.0f MB",
                         total, seconds / total, cpu, all[0].embeddingCount, speakers, Qwen3Bench.status("VmHWM") / 1_048_576))
        } catch {
            FileHandle.standardError.write(Data("scriba-bench diarization: \(error)\n".utf8))
            exit(1)
        }
    }

    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
