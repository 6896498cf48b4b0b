import Foundation
import ScribaPipeline

/// The batch plan as a person reads it: `--dry-run` prints every input and the estimate; a real
/// batch prints the estimate as its first line.
enum PlanLines {
    /// The plan for `files` with these flags, probing headers only; no model is loaded.
    static func plan(_ files: [URL], engine: EngineOptions, jobs: Int, outputDirectory: URL?, settings: String) -> BatchPlan {
        let choice = engine.choice
        let kind = EngineFactory.resolvedKind(choice, notice: { _ in })
        let figures = EngineFigures.measured(in: outputDirectory, settings: settings,
                                             fallback: EngineFigures.reference(for: choice, kind: kind))
        return BatchPlan.probing(files, figures: figures, jobs: jobs)
    }

    /// `plan: 3 files, 0:21.4 of audio, --jobs 1: about 0:05 wall, peak about 0.5 GB of 22.1 GB available (basis)`
    static func summary(_ plan: BatchPlan) -> String {
        var line = "plan: \(plan.inputs.count) file\(plan.inputs.count == 1 ? "" : "s"), \(CoverageWarnings.clock(plan.totalSeconds)) of audio, --jobs \(plan.jobs): "
        if let wall = plan.wallSeconds {
            line += "about \(CoverageWarnings.clock(wall)) wall (RTF \(String(format: "%.2f", plan.figures.realTimeFactor ?? 0)) + \(String(format: "%.1f", plan.figures.loadSeconds)) s load)"
        } else {
            line += "wall time unknown"
        }
        line += ", peak memory about \(BatchPlan.gigabytes(plan.peakBytes))"
        if let available = plan.availableBytes { line += " of \(BatchPlan.gigabytes(available)) available" }
        return line + " (\(plan.figures.basis))"
    }

    /// The warning when the jobs would not fit in memory; nil when they do.
    static func memoryWarning(_ plan: BatchPlan) -> String? {
        guard plan.exceedsMemory, let available = plan.availableBytes else { return nil }
        return "warning: --jobs \(plan.jobs) needs about \(BatchPlan.gigabytes(plan.peakBytes)) but \(BatchPlan.gigabytes(available)) is available; pass a smaller --jobs."
    }

    /// Every input with its length (or why it cannot be read), then the summary and any warning.
    static func full(_ plan: BatchPlan) -> [String] {
        let rows = plan.inputs.map { input in
            input.seconds.map { "  \(CoverageWarnings.clock($0))  \(input.url.path)" } ?? "  unreadable  \(input.url.path): \(input.problem ?? "")"
        }
        return rows + [summary(plan)] + [memoryWarning(plan)].compactMap { $0 }
    }

    /// `--dry-run`: the whole plan on stdout, and true (the command stops). Otherwise the summary
    /// (and any memory warning) on stderr as the batch's first line, and false.
    static func announce(_ files: [URL], engine: EngineOptions, batch: BatchOptions, settings: String) -> Bool {
        let plan = plan(files, engine: engine, jobs: batch.jobs, outputDirectory: URL(fileURLWithPath: batch.outputDir), settings: settings)
        if batch.dryRun {
            full(plan).forEach { print($0) }
            return true
        }
        printError(summary(plan))
        if let warning = memoryWarning(plan) { printError(warning) }
        return false
    }

}
