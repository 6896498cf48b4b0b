// `scriba-bench whisper [--model DIR] [--runs N] [--precision f32|bf16|int8] [--json PATH] [FILES...]`:
// Whisper end to end on real clips (default: the LibriVox clips of Debian's pocketsphinx-testdata)
// and on a 5-minute concatenation of them (1 s gaps), per stage: model load, audio decode, log-mel,
// encoder (conv / attention / linears), cross K/V, prompt prefill, decode steps, logits, word-timing
// alignment, the rest (filters, DTW, tokenizer). Prints medians over the runs, RTF, tokens/s and peak
// RSS (VmHWM). Decoding as the comparison with faster-whisper: greedy, language en, word timestamps.

import Foundation
import ScribaAudio
import ScribaModels
import ScribaPipeline
import ScribaTensor

struct WhisperBenchmarkOptions {
    var model = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/scriba/models/whisper-base")
    var files: [URL] = []
    var runs = 3
    var precision: WeightPrecision = .f32
    var json: URL?
    var concatenationSeconds = 300.0

    static let defaultClips = "/usr/share/pocketsphinx/test/data/librivox"
    static let usage = """
        usage: scriba-bench whisper [--model DIR] [--runs N] [--precision f32|bf16|int8] [--concat SECONDS] [--json PATH] [FILES...]
          FILES default to \(defaultClips)/*.wav (apt-get install pocketsphinx-testdata);
          --concat 0 skips the concatenated file.
        """

    init(arguments: [String]) throws(WhisperBenchmarkError) {
        var rest = arguments[...]
        func value(_ flag: String) throws(WhisperBenchmarkError) -> String {
            guard let next = rest.popFirst() else { throw .badArgument("\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--model": model = URL(fileURLWithPath: try value(argument))
            case "--runs":
                guard let n = Int(try value(argument)), n > 0 else { throw .badArgument("--runs needs a positive integer") }
                runs = n
            case "--precision":
                switch try value(argument) {
                case "f32": precision = .f32
                case "int8": precision = .int8()
                case "bf16": precision = .bf16
                case let other: throw .badArgument("--precision \(other): use f32, bf16 or int8")
                }
            case "--concat":
                guard let s = Double(try value(argument)), s >= 0 else { throw .badArgument("--concat needs seconds ≥ 0") }
                concatenationSeconds = s
            case "-h", "--help", "help": print(Self.usage); exit(0)
            case "--json": json = URL(fileURLWithPath: try value(argument))
            case let flag where flag.hasPrefix("-"): throw .badArgument("unknown option \(flag)")
            default: files.append(URL(fileURLWithPath: argument))
            }
        }
        if files.isEmpty {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.defaultClips)) ?? []
            files = names.filter { $0.hasSuffix(".wav") }.sorted().map { URL(fileURLWithPath: Self.defaultClips).appendingPathComponent($0) }
            guard !files.isEmpty else { throw .badArgument("no FILES given and no clips in \(Self.defaultClips)") }
        }
    }
}

enum WhisperBenchmarkError: Error, CustomStringConvertible {
    case badArgument(String)
    var description: String {
        switch self { case .badArgument(let why): "scriba-bench whisper: \(why)\n\(WhisperBenchmarkOptions.usage)" }
    }
}

/// One input's figures in one run.
struct WhisperRunFigures {
    var audioDecode = 0.0
    var mel = 0.0
    var transcribe = 0.0
    var stages = WhisperStageTimes()
    var text = ""
    var tokens: [Int] = []
}

enum WhisperBenchmark {
    static func main(_ arguments: [String]) {
        let options: WhisperBenchmarkOptions
        do { options = try WhisperBenchmarkOptions(arguments: arguments) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
        do { try run(options) } catch {
            FileHandle.standardError.write(Data("scriba-bench whisper: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ o: WhisperBenchmarkOptions) throws {
        print("whisper: model \(o.model.path), precision \(o.precision), \(o.runs) runs, BLAS threads \(BLAS.threads), pool threads \(ThreadPool.shared.threadCount); many-row products: \(OneDNN.status)")
        let clips = try o.files.map { url in (url, try AudioFile.load(url).audio) }
        let concatenation = o.concatenationSeconds > 0 ? concatenate(clips.map(\.1), seconds: o.concatenationSeconds) : nil
        var loads: [Double] = []
        var clipRuns: [[WhisperRunFigures]] = []   // [run][clip]
        var concatRuns: [WhisperRunFigures] = []
        for run in 0..<o.runs {
            let start = WhisperClock.now()
            let model = try WhisperModel(folder: o.model, precision: o.precision)
            let tokenizer = try BPETokenizer.load(folder: o.model)
            loads.append(WhisperClock.now() - start)
            var figures: [WhisperRunFigures] = []
            for (url, _) in clips {
                figures.append(try transcribe(model: model, tokenizer: tokenizer) { try AudioFile.load(url).audio })
            }
            clipRuns.append(figures)
            if let concatenation {
                concatRuns.append(try transcribe(model: model, tokenizer: tokenizer) { concatenation })
            }
            print("  run \(run + 1): load \(fixed(loads.last!)) s, clips \(fixed(figures.map(\.total).reduce(0, +))) s"
                  + (concatRuns.last.map { ", \(Int(o.concatenationSeconds)) s file \(fixed($0.total)) s" } ?? ""))
        }
        let audioSeconds = clips.map { Double($0.1.samples.count) / Double($0.1.sampleRate) }
        print("clips: \(clips.count) files, \(fixed(audioSeconds.reduce(0, +))) s of audio")
        for (i, (url, _)) in clips.enumerated() {
            let wall = median(clipRuns.map { $0[i].total })
            print("  \(url.lastPathComponent): \(fixed(audioSeconds[i])) s audio, \(fixed(wall)) s, \(clipRuns[0][i].tokens.count) tokens: \(clipRuns[0][i].text.trimmingCharacters(in: .whitespaces))")
        }
        let clipTotals = clipRuns.map { runs in runs.dropFirst().reduce(runs[0]) { $0 + $1 } }
        report("clips total", clipTotals, load: loads, audioSeconds: audioSeconds.reduce(0, +))
        if let concatenation {
            let seconds = Double(concatenation.samples.count) / Double(concatenation.sampleRate)
            report("\(fixed(seconds, 0)) s concatenation", concatRuns, load: loads, audioSeconds: seconds)
        }
        let rss = peakRSSMegabytes()
        print("peak RSS (VmHWM): \(fixed(rss, 0)) MB")
        if let json = o.json {
            try writeJSON(json, options: o, clips: clips.map(\.0), audioSeconds: audioSeconds, clipRuns: clipRuns,
                          concatRuns: concatRuns, concatSeconds: concatenation.map { Double($0.samples.count) / 16_000 }, loads: loads, rss: rss)
        }
    }

    /// The clips in order, each followed by 1 s of silence, cycled while the next whole clip still fits
    /// in `seconds`, then silence up to `seconds` (whole clips keep a reference text possible;
    /// scripts/compare/faster-whisper builds the same file).
    static func concatenate(_ clips: [AudioBuffer], seconds: Double) -> AudioBuffer {
        let rate = WhisperRecognizer.sampleRate
        let target = Int(seconds * Double(rate))
        var samples: [Float] = []
        samples.reserveCapacity(target)
        var index = 0
        while !clips.isEmpty, samples.count + clips[index].samples.count + rate <= target {
            samples.append(contentsOf: clips[index].samples)
            samples.append(contentsOf: repeatElement(0, count: rate))
            index = (index + 1) % clips.count
        }
        samples.append(contentsOf: repeatElement(0, count: max(0, target - samples.count)))
        return AudioBuffer(samples: samples, sampleRate: rate)
    }

    static func transcribe(model: WhisperModel, tokenizer: BPETokenizer, audio load: () throws -> AudioBuffer) throws -> WhisperRunFigures {
        var f = WhisperRunFigures()
        var mark = WhisperClock.now()
        let audio = try load()
        f.audioDecode = WhisperClock.now() - mark
        mark = WhisperClock.now()
        let mel = WhisperRecognizer.logMel(samples: audio.samples, melBins: model.config.melBins)
        f.mel = WhisperClock.now() - mark
        mark = WhisperClock.now()
        let transcriber = try WhisperTranscriber(model: model, tokenizer: tokenizer)
        var options = WhisperOptions(language: "en", wordTimestamps: true)
        options.conditionOnPreviousText = true
        let result = try transcriber.transcribe(mel: mel, options: options)
        f.transcribe = WhisperClock.now() - mark
        f.stages = transcriber.session.times
        f.text = result.text
        f.tokens = result.calls.flatMap(\.generated)
        return f
    }

    static func report(_ title: String, _ runs: [WhisperRunFigures], load: [Double], audioSeconds: Double) {
        func m(_ value: (WhisperRunFigures) -> Double) -> Double { median(runs.map(value)) }
        let total = m(\.total)
        print("\(title): \(fixed(audioSeconds)) s audio; median of \(runs.count) runs (seconds, share of processing)")
        let rows: [(String, (WhisperRunFigures) -> Double)] = [
            ("audio decode", { $0.audioDecode }), ("log-mel", { $0.mel }),
            ("encoder conv", { $0.stages.encoderConv }), ("encoder attention", { $0.stages.encoderAttention }),
            ("encoder linears+norms", { $0.stages.encoderLinear }), ("cross K/V", { $0.stages.crossKeyValues }),
            ("prompt prefill", { $0.stages.prefill }), ("decode steps", { $0.stages.steps }),
            ("logits (vocab proj.)", { $0.stages.logits }), ("word-timing decode", { $0.stages.alignment }),
            ("other (filters, DTW, text)", { $0.transcribe - $0.stages.total }),
        ]
        for (name, value) in rows {
            let v = m(value)
            print("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(Format.padded(fixed(v), 8))  \(Format.padded(fixed(100 * v / max(total, 1e-9), 1), 5)) %")
        }
        let s = runs[0].stages
        let stepTime = m { $0.stages.steps + $0.stages.logits }
        print("  processing \(fixed(total)) s (RTF \(fixed(total / audioSeconds, 3))), + model load \(fixed(median(load))) s;"
              + " \(s.windows) windows, \(s.stepTokens) decode steps (\(fixed(Double(s.stepTokens) / max(stepTime, 1e-9), 1)) tokens/s incl. logits),"
              + " \(s.prefillTokens) prefill tokens, \(s.logitRows) logit rows")
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func fixed(_ value: Double, _ digits: Int = 3) -> String { Format.fixed(value, digits: digits) }

    /// VmHWM of /proc/self/status in MB (0 where there is no procfs).
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }

    static func writeJSON(_ url: URL, options o: WhisperBenchmarkOptions, clips: [URL], audioSeconds: [Double],
                          clipRuns: [[WhisperRunFigures]], concatRuns: [WhisperRunFigures], concatSeconds: Double?,
                          loads: [Double], rss: Double) throws {
        var clipEntries: [[String: Any]] = []
        for (i, url) in clips.enumerated() {
            clipEntries.append(["file": url.path, "audio_seconds": audioSeconds[i], "text": clipRuns[0][i].text,
                                "tokens": clipRuns[0][i].tokens, "processing_seconds": clipRuns.map { $0[i].total }])
        }
        var root: [String: Any] = ["precision": o.precision.description, "runs": o.runs, "load_seconds": loads,
                                   "clips": clipEntries, "peak_rss_mb": rss]
        if let concatSeconds, let first = concatRuns.first {
            root["concatenation"] = ["audio_seconds": concatSeconds, "text": first.text, "tokens": first.tokens,
                                     "processing_seconds": concatRuns.map(\.total)]
        }
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        let temporary = url.appendingPathExtension("tmp")
        try data.write(to: temporary)
        // rename(2) replaces an existing file atomically.
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}

extension WhisperRunFigures {
    /// Audio decode + mel + transcription (no model load).
    var total: Double { audioDecode + mel + transcribe }

    static func + (a: Self, b: Self) -> Self {
        var s = a
        s.audioDecode += b.audioDecode; s.mel += b.mel; s.transcribe += b.transcribe; s.stages = a.stages + b.stages
        s.tokens += b.tokens; s.text += b.text
        return s
    }
}
