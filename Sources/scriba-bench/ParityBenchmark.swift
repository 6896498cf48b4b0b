// `scriba-bench parity DIR... [--precision f32|bf16|int8|stored] [--attention windowed|whole-clip] [--tolerance 1e-4]`: Scriba
// against the official qwen-asr outputs of every case under DIR (scripts/fixtures/make_qwen3_parity.py
// writes them). One line per run: features max |Δ|, the audio encoder's relative error, the first
// decoder layer whose hidden rows differ by more than 1e-5 relative, the worst step's relative logit
// error, top-1 agreement on the official and on Scriba's own features, and whether greedy ids are
// equal. Exits 1 when a run misses the tolerance (f32 only: narrower precisions report, never fail).

import Foundation
import ScribaModels
import ScribaParity
import ScribaTensor

enum ParityBenchmark {
    static let usage = """
        usage: scriba-bench parity DIR... [--precision f32|bf16|int8|stored] [--attention windowed|whole-clip] [--tolerance 1e-4]
          DIR: a case folder or a folder of them (scripts/fixtures/make_qwen3_parity.py); --attention overrides
          the span each case's official outputs were made with; --precision stored keeps the checkpoint's dtype.
        """

    static func main(_ arguments: [String]) {
        var folders: [URL] = [], precision: WeightPrecision? = .f32, tolerance = ParityRunner.logitTolerance
        var attention: Qwen3EncoderAttention?
        var index = 0
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("scriba-bench parity: \(message)\n\(usage)\n".utf8))
            exit(2)
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--precision":
                index += 1
                guard index < arguments.count else { fail("--precision takes f32, bf16, int8 or stored") }
                if arguments[index] == "stored" {
                    precision = nil
                } else {
                    guard let p = WeightPrecision(argument: arguments[index]) else { fail("--precision takes f32, bf16, int8 or stored") }
                    precision = p
                }
            case "--attention":
                index += 1
                switch index < arguments.count ? arguments[index] : "" {
                case "windowed": attention = .windowed
                case "whole-clip": attention = .wholeClip
                default: fail("--attention takes windowed or whole-clip")
                }
            case "--tolerance":
                index += 1
                guard index < arguments.count, let t = Float(arguments[index]) else { fail("--tolerance takes a number") }
                tolerance = t
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                if argument.hasPrefix("-") { fail("unknown option \(argument)") }
                folders.append(contentsOf: ParityCase.folders(under: URL(fileURLWithPath: argument)))
            }
            index += 1
        }
        guard !folders.isEmpty else { fail("no parity case found (folders with a case.json)") }
        let runner = ParityRunner(precision: precision, encoderAttention: attention)
        var failed = 0
        var summaries: [String] = []
        print("parity: weights \(precision?.description ?? "as stored"), encoder attention \(attention.map { $0 == .wholeClip ? "whole clip" : "windowed" } ?? "as each case's reference"), tolerance \(tolerance)")
        print(Format.column("case / run", 30) + Format.column("steps", 6) + Format.column("feat|Δ|", 9) + Format.column("enc rel", 9) + Format.column("layer>1e-5", 11)
              + Format.column("worst rel (step)", 19) + Format.column("top-1", 9) + Format.column("own rel", 9) + Format.column("own top-1", 10) + Format.column("greedy", 7) + "min margin")
        for folder in folders {
            do {
                let parityCase = try ParityCase(folder: folder)
                let results = try runner.run(parityCase)
                summaries.append(summary(parityCase.name, results, tolerance: tolerance))
                for r in results {
                    let worst = r.worstStep
                    let ok = r.passes(tolerance: tolerance)
                    if !ok { failed += 1 }
                    let ties = r.tiesFlipped(tolerance: tolerance)
                    let top1 = "\(r.top1Equal.filter { $0 }.count)/\(r.steps)"
                    let own = "\(r.ownTop1Equal.filter { $0 }.count)/\(r.steps)"
                    print(Format.column("\(parityCase.name) \(r.label)", 30) + Format.column("\(r.steps)", 6) + Format.column(sci(r.featuresMaxAbs), 9)
                          + Format.column(sci(r.encoderRelative), 9) + Format.column(r.firstLayer(over: 1e-5).map { $0 == 0 ? "embed" : "\($0)" } ?? "-", 11)
                          + Format.column("\(sci(worst.relative)) (\(worst.index))", 19) + Format.column(top1, 9) + Format.column(sci(r.worstOwnRelative), 9)
                          + Format.column(own, 10) + Format.column(r.greedyEqual ? "equal" : "DIFF", 7) + sci(Float(r.officialMinMargin))
                          + (ties > 0 ? "  (\(ties) tie(s) within tolerance flipped)" : "")
                          + (ok ? "" : "  ✗") + (r.promptEqual ? "" : "  (prompt ids differ)"))
                }
            } catch {
                failed += 1
                print("\(folder.lastPathComponent): \(error)")
            }
        }
        print("\nper case (worst over its runs; top-1 and greedy on the official features):")
        summaries.forEach { print($0) }
        print(failed == 0 ? "parity: every run within \(tolerance), top-1 equal at every step that is not a tie within it"
              : "parity: \(failed) run(s) outside \(tolerance) or with a different top-1")
        if failed > 0 && precision == .f32 { exit(1) }
    }

    /// One line per case: runs, the worst relative step error, top-1 agreement over all steps, runs
    /// with equal greedy ids, flipped ties.
    static func summary(_ name: String, _ results: [ParityRunResult], tolerance: Float) -> String {
        let worst = results.map { max($0.worstStep.relative, $0.worstOwnRelative) }.max() ?? 0
        let agree = results.reduce(0) { $0 + $1.top1Equal.filter { $0 }.count }
        let steps = results.reduce(0) { $0 + $1.steps }
        let greedy = results.filter(\.greedyEqual).count
        let ties = results.reduce(0) { $0 + $1.tiesFlipped(tolerance: tolerance) }
        let passed = results.filter { $0.passes(tolerance: tolerance) }.count
        let withinOne = results.compactMap(\.binsWithinOne)
        let bins = withinOne.isEmpty ? "" : " bins ±1 \(withinOne.reduce(0, +))/\(steps)"
        return Format.column(name, 28) + Format.column("\(results.count) runs", 8) + Format.column("worst rel \(sci(worst))", 18)
            + Format.column("top-1 \(agree)/\(steps)", 18) + Format.column("greedy equal \(greedy)/\(results.count)", 20)
            + "pass \(passed)/\(results.count)" + (ties > 0 ? " (\(ties) tie(s) flipped)" : "") + bins
    }

    static func sci(_ x: Float) -> String { x.isFinite ? String(format: "%.1e", Double(x)) : "n/a" }
}
