import Foundation
import Testing
import ScribaTestSupport
@testable import ScribaPipeline

@Suite struct BatchPlanTests {
    let figures = EngineFigures(realTimeFactor: 0.25, loadSeconds: 2, modelBytes: 1e9, jobBytes: 0.5e9, basis: "test")

    func plan(jobs: Int, available: Double?) -> BatchPlan {
        let inputs = [("a", 60.0), ("b", 120.0), ("c", nil)].map {
            BatchPlan.Input(url: URL(fileURLWithPath: "/x/\($0.0).wav"), seconds: $0.1, problem: $0.1 == nil ? "not audio" : nil)
        }
        return BatchPlan(inputs: inputs, figures: figures, jobs: jobs, availableBytes: available)
    }

    @Test func wallTimeIsLoadPlusAudioTimesRTFAndMemoryGrowsWithJobs() {
        let one = plan(jobs: 1, available: 8e9)
        #expect(one.totalSeconds == 180)
        // 2 s load + 180 s × 0.25.
        #expect(one.wallSeconds == 47)
        // 1 GB of models + one job: 0.5 GB + the longest input's audio, 120 s × 16 000 × 4 B × 3 = 23.04 MB.
        #expect(abs(one.peakBytes - 1.52304e9) < 1)
        #expect(!one.exceedsMemory)
        // Jobs beyond the number of inputs never run at once: 3 jobs → 1 + 3 × 0.52304 GB.
        let many = plan(jobs: 16, available: 2.5e9)
        #expect(abs(many.peakBytes - 2.56912e9) < 1)
        #expect(many.exceedsMemory)
        #expect(plan(jobs: 16, available: nil).exceedsMemory == false)
    }

    /// Probing reads headers only (the speed is measured by the CLI: 0.09 s for 100 files, not timed here).
    @Test func probingAHundredWAVFilesReadsTheirDurations() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav")
        let files = try (0..<100).map { index -> URL in
            let url = folder.appendingPathComponent("clip\(index).wav")
            try FileManager.default.copyItem(at: clip, to: url)
            return url
        }
        let plan = BatchPlan.probing(files, figures: figures, jobs: 1)
        // 7.1 s each: 113 600 samples at 16 kHz.
        #expect(plan.inputs.count == 100 && abs(plan.totalSeconds - 710) < 1e-3 && plan.inputs.allSatisfy { $0.problem == nil })
    }

    @Test func aPreviousRunWithTheSameSettingsGivesTheMeasuredRTF() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = BatchReport(fileReports: [
            FileReport(input: "/a.wav", status: .ok, audioSeconds: 10, processingSeconds: 3, outputs: ["a.srt"]),
            FileReport(input: "/b.wav", status: .ok, audioSeconds: 30, processingSeconds: 5, outputs: ["b.srt"]),
            FileReport(input: "/c.wav", status: .skipped, audioSeconds: 100, processingSeconds: 0, outputs: ["c.srt"]),
        ], wallSeconds: 9, settings: "same")
        try report.encoded().write(to: folder.appendingPathComponent(BatchReport.fileName))
        let measured = EngineFigures.measured(in: folder, settings: "same", fallback: figures)
        // (3 + 5) s for (10 + 30) s of audio; the skipped file took no time and does not count.
        #expect(measured.realTimeFactor == 0.2)
        #expect(measured.basis.contains("measured by the last run") && measured.loadSeconds == 2)
        #expect(EngineFigures.measured(in: folder, settings: "other", fallback: figures) == figures)
    }

    @Test func qwen3FiguresFollowTheWeightsAndPrecision() {
        // No aligner on disk either (a cached one would add its RTF and bytes).
        let bf16 = EngineFigures.reference(for: EngineChoice(kind: .qwen3, model: "/nonexistent/Qwen3-ASR-1.7B",
                                                             alignerModel: "/nonexistent/Qwen3-ForcedAligner-0.6B"), kind: .qwen3)
        // Not on disk: the released 1.7B's 4.09 GB; its measured RTF 0.904, and the aligner's 0.201 only with an aligner on disk.
        #expect(abs((bf16.realTimeFactor ?? 0) - 0.904) < 1e-9)
        #expect(bf16.modelBytes == 4.09e9)
        let int8 = EngineFigures.reference(for: EngineChoice(kind: .qwen3, model: "/nonexistent/Qwen3-ASR-1.7B", alignerModel: "/nonexistent/aligner",
                                                             precision: .int8(groupSize: 128)), kind: .qwen3)
        #expect(abs(int8.modelBytes - 4.09e9 * 0.55) < 1 && (int8.realTimeFactor ?? 0) < (bf16.realTimeFactor ?? 0))
        #expect(EngineFigures.reference(for: EngineChoice(kind: .remote), kind: .remote).realTimeFactor == nil)
    }
}
