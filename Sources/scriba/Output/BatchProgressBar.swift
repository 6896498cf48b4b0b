import Foundation
import ScribaPipeline

/// Batch progress on stderr: a redrawn bar on a terminal (files done/total, audio minutes done,
/// ETA), one plain line per file otherwise (logs, CI). Failures always get their own line.
final class BatchProgressBar {
    let total: Int
    let isTerminal: Bool
    private let began = Date()
    private var done = 0
    private var audioSeconds = 0.0
    private var current = ""

    init(total: Int, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.total = total
        self.isTerminal = isTerminal
    }

    func handle(_ event: BatchEvent) {
        switch event {
        case .started(let input, _, _):
            current = input.lastPathComponent
            if isTerminal { draw() }
        case .finished(let report, _, _, _):
            done += 1
            if report.status == .ok { audioSeconds += report.audioSeconds ?? 0 }
            let name = URL(fileURLWithPath: report.input).lastPathComponent
            let line = Self.line(for: report, name: name, done: done, total: total)
            if isTerminal {
                // Keep successes on the bar; failures stay on screen above it.
                if report.status == .failed { write("\r\u{1B}[K" + line + "\n") }
                draw()
            } else {
                write(line + "\n")
            }
        }
    }

    func finish(_ report: BatchReport) {
        if isTerminal { write("\r\u{1B}[K") }
        var summary = "\(report.succeeded) done, \(report.skipped) skipped, \(report.failed) failed in "
            + Self.clock(report.wallSeconds)
        if let rtf = report.realTimeFactor { summary += String(format: " (%.1f min audio, RTF %.2f)", report.audioSeconds / 60, rtf) }
        write(summary + "\n")
    }

    static func line(for report: FileReport, name: String, done: Int, total: Int) -> String {
        let prefix = "[\(done)/\(total)]"
        switch report.status {
        case .ok:
            let audio = report.audioSeconds.map { String(format: "%.1f s audio", $0) } ?? ""
            let rtf = report.realTimeFactor.map { String(format: ", RTF %.2f", $0) } ?? ""
            return "\(prefix) ok \(name) (\(audio) in \(String(format: "%.1f", report.processingSeconds)) s\(rtf))"
        case .skipped:
            return "\(prefix) skipped \(name) (outputs complete)"
        case .failed:
            return "\(prefix) failed \(name): \(report.error ?? "unknown error")"
        }
    }

    private func draw() {
        let width = 24
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let elapsed = Date().timeIntervalSince(began)
        let eta = done == 0 ? "--" : Self.clock(elapsed / Double(done) * Double(total - done))
        let minutes = String(format: "%.1f", audioSeconds / 60)
        write("\r\u{1B}[K[\(bar)] \(done)/\(total) files  \(minutes) min audio  ETA \(eta)  \(current.prefix(30))")
    }

    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%dh%02dm", whole / 3600, whole / 60 % 60)
            : String(format: "%dm%02ds", whole / 60, whole % 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
