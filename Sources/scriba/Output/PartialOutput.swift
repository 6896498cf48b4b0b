import Foundation
import ScribaPipeline

/// Some files were transcribed only in part (truncated, looping or failed chunks) and
/// `--allow-partial` was not given: exit `ScribaExit.partialOutput`.
struct PartialOutput: Error {
    let files: Int
    let total: Int
}

enum CoverageWarnings {
    /// One line per chunk whose text may be missing speech:
    /// `warning: talk.wav 01:30.0–02:00.0 truncated: token budget reached: …`.
    static func lines(for report: FileReport) -> [String] {
        let name = URL(fileURLWithPath: report.input).lastPathComponent
        return (report.partialChunks ?? []).map { chunk in
            var line = "warning: \(name) \(clock(chunk.start))–\(clock(chunk.end)) \(chunk.status.rawValue)"
            if let note = chunk.note { line += ": \(note)" }
            return line
        }
    }

    /// Prints the warnings of every report and throws `PartialOutput` unless partial output is allowed.
    static func check(_ report: BatchReport, allowPartial: Bool) throws {
        for file in report.fileReports { for line in lines(for: file) { printError(line) } }
        let partial = report.fileReports.count { $0.isPartial }
        if partial > 0, !allowPartial { throw PartialOutput(files: partial, total: report.files) }
    }

    /// m:ss.s (h:mm:ss.s past an hour), as a reader finds the spot in a player.
    static func clock(_ seconds: Double) -> String {
        let tenths = Int((max(0, seconds) * 10).rounded())
        let h = tenths / 36_000, m = tenths / 600 % 60, s = tenths / 10 % 60, t = tenths % 10
        let mm = m < 10 && h > 0 ? "0\(m)" : "\(m)"
        let ss = s < 10 ? "0\(s)" : "\(s)"
        return (h > 0 ? "\(h):" : "") + "\(mm):\(ss).\(t)"
    }
}
