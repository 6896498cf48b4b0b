// `scriba-bench qwen3-live --model DIR [--minutes 10] [--precision int8] [--tokens-per-second 4]
// [--audio FILE]`: Qwen3-ASR live captions (Qwen3StreamingSession, live mode) on a stream paced at
// real time, as `scriba live --engine qwen3` runs it. Prints whether steps keep up (each step's lag:
// wall time when its events arrive minus the audio time it covered; the final event's time after the
// audio's end) and RSS every minute. Random full-size checkpoints never emit a stop token, so each
// step decodes a forced count: tokens-per-second × the 2 s chunk + the 5 rolled-back tokens (the
// prefix grows by the same rate, up to its 150-token cap). The input is FILE, or the LibriVox
// fixture clips repeated to the length (as `scriba-bench qwen3`).

import Foundation
import ScribaAudio
import ScribaModels
import ScribaPipeline
import ScribaTranscript

/// A line to stdout now (unbuffered: the minute lines show as they come when piped).
private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

struct Qwen3LiveBenchmark {
    static func main(_ arguments: [String]) {
        do {
            var rest: [String] = [], minutes = 10.0
            var iterator = arguments.makeIterator()
            while let argument = iterator.next() {
                if argument == "--minutes", let value = iterator.next().flatMap(Double.init), value > 0 {
                    minutes = value
                } else {
                    rest.append(argument)
                }
            }
            var options = try Qwen3BenchmarkOptions(arguments: rest, command: "qwen3")
            options.seconds = minutes * 60
            try run(options)
        } catch {
            FileHandle.standardError.write(Data("scriba-bench qwen3-live: \(error)\n\(Qwen3BenchmarkOptions.usage("qwen3")) [--minutes 10]\n".utf8))
            exit(2)
        }
    }

    /// Each decode's lag: when it finished minus the audio time it covered (polled every 50 ms).
    actor Log {
        var lags: [Double] = []
        var seenDecodes = 0
        func poll(wall: Double, decodes: Int, decoded: Double) {
            guard decodes > seenDecodes else { return }
            seenDecodes = decodes
            lags.append(wall - decoded)
        }
    }

    static func run(_ options: Qwen3BenchmarkOptions) throws {
        let input = try Qwen3Bench.input(options: options)
        let audio = try AudioFile.load(input).audio
        let recognizer = try Qwen3Recognizer(folder: options.model!, precision: options.precision)
        let streaming = Qwen3StreamingOptions(mode: .live, language: Language.named("English"))
        var forced = streaming
        forced.maxNewTokens = Int((options.tokensPerSecond * streaming.chunkSeconds).rounded()) + streaming.unfixedTokens
        let session = Qwen3StreamingSession(recognizer: recognizer, options: forced)
        say("qwen3-live: \(options.model!.path), \(Format.fixed(audio.duration / 60, digits: 1)) min paced at real time, "
              + "\(forced.maxNewTokens) new tokens per 2 s step forced, precision \(options.precision?.description ?? "checkpoint")")
        say("  RSS after load \(Qwen3Bench.gb(Qwen3Bench.status("VmRSS")))")
        let log = Log()
        let clock = ContinuousClock(), start = clock.now
        @Sendable func wall() -> Double { (clock.now - start) / .seconds(1) }
        let source = LiveAudioInput.file(audio, paced: true)
        let done = DispatchSemaphore(value: 0)
        let sampler = Task.detached {
            var nextMinute = 60.0
            while (try? await Task.sleep(for: .milliseconds(50))) != nil {
                await log.poll(wall: wall(), decodes: await session.decodeCount, decoded: await session.completedSeconds)
                guard wall() >= nextMinute else { continue }
                let heard = await session.heardSeconds, decoded = await session.decodedSeconds
                say("  minute \(Int(nextMinute / 60)): RSS \(Format.fixed(Qwen3Bench.status("VmRSS") / 1e6, digits: 0)) MB, decoded "
                      + "\(Format.fixed(decoded, digits: 0)) s at \(Format.fixed(wall(), digits: 0)) s wall, model hears \(Format.fixed(heard, digits: 1)) s")
                nextMinute += 60
            }
        }
        Task.detached {
            do {
                _ = try await StreamingRunner.run(session: session, audio: source.stream) { _, _ in }
                sampler.cancel()
                await log.poll(wall: wall(), decodes: await session.decodeCount, decoded: await session.completedSeconds)
                let end = wall()
                let lags = await log.lags.sorted()
                let decodes = await session.decodeCount
                let prompt = await session.promptTokens, generated = await session.generatedTokens
                func pick(_ q: Double) -> Double { lags.isEmpty ? 0 : lags[min(lags.count - 1, Int(Double(lags.count) * q))] }
                say("  final event \(Format.fixed(end - audio.duration, digits: 2)) s after the audio's end (\(Format.fixed(end, digits: 1)) s wall for "
                      + "\(Format.fixed(audio.duration, digits: 1)) s)")
                say("  decode lag (finished − end of the audio it covered): p50 \(Format.fixed(pick(0.5), digits: 2)) s, p90 \(Format.fixed(pick(0.9), digits: 2)) s, "
                      + "max \(Format.fixed(lags.last ?? 0, digits: 2)) s over \(lags.count) decodes")
                say("  \(decodes) decodes for \(Int(audio.duration / streaming.chunkSeconds)) chunks; mean prompt \(decodes > 0 ? prompt / decodes : 0) tokens, "
                      + "mean generated \(Format.fixed(decodes > 0 ? Double(generated) / Double(decodes) : 0, digits: 1)) tokens; "
                      + "peak RSS \(Qwen3Bench.gb(Qwen3Bench.status("VmHWM")))")
                let stages = await session.stageSeconds, kept = await session.reusedPositions
                let per = { (total: Double) in Format.fixed(decodes > 0 ? total / Double(decodes) : 0, digits: 3) }
                say("  per decode: log-mel \(per(stages.features)) s, encoder \(per(stages.encoder)) s, prefill \(per(stages.prefill)) s "
                    + "(\(decodes > 0 ? kept / decodes : 0) prompt positions kept from the cache), decode steps \(per(stages.steps)) s")
            } catch {
                say("  failed: \(error)")
            }
            done.signal()
        }
        done.wait()
    }
}
