// What a benchmark is, and the timing helper they share. Add a benchmark by writing a type that
// conforms to `Benchmark` in its own file and listing it in `allBenchmarks` (main.swift).

protocol Benchmark {
    /// The word given on the command line (`scriba-bench <name>`).
    var name: String { get }
    /// One line for the usage text.
    var summary: String { get }
    func run()
}

enum Timing {
    /// Runs `body` once to warm up (page faults, BLAS thread start-up), then `runs` times, and
    /// returns the median wall time in seconds: robust to the odd run slowed by another process.
    static func medianSeconds(runs: Int = 5, _ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        var samples = [Double]()
        for _ in 0..<max(1, runs) {
            let elapsed = clock.measure(body)
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

enum Format {
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// A table column: left-aligned, at least one space after.
    static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
