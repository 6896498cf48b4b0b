import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline

/// `--shard K/N`: shards cover every input once and their merged report equals a one-shard run's;
/// a batch whose endpoints all die stops with its manifest and report written, and a rerun resumes.
struct BatchShardTests {
    /// `count` short WAVs in a fresh folder, and an output folder beside them.
    func makeInputs(_ count: Int) throws -> (inputs: [URL], output: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)")
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let files = try (0..<count).map { index in
            let url = inputs.appendingPathComponent(String(format: "clip%02d.wav", index))
            try WAVWriter.write(AudioBuffer(samples: [Float](repeating: Float(index) / 100, count: 1600), sampleRate: 16_000), to: url)
            return url
        }
        return (files, folder.appendingPathComponent("out"))
    }

    let work: BatchRunner.Work = { input, _ in [OutputFile(fileExtension: "txt", contents: input.lastPathComponent)] }

    /// The report without its clock readings.
    func timeless(_ report: BatchReport) -> BatchReport {
        var report = report
        report.wallSeconds = 0
        report.realTimeFactor = nil
        report.fileReports = report.fileReports.map { file in
            var file = file
            file.processingSeconds = 0
            file.realTimeFactor = nil
            return file
        }
        return report
    }

    @Test func threeShardsCoverEveryInputOnceAndMergeToTheOneShardReport() async throws {
        let (inputs, output) = try makeInputs(12)
        var seen: [String] = []
        for index in 1...3 {
            var configuration = BatchConfiguration(outputDirectory: output, settings: "s")
            configuration.shard = try BatchShard(index: index, count: 3)
            let report = try await BatchRunner(configuration: configuration, work: work).run(inputs)
            seen += report.fileReports.map(\.input)
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("processing_report.shard-\(index)-of-3.json").path))
            // A manifest is saved once a file is done (a shard can draw none of 12 inputs).
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(".scriba-manifest.shard-\(index)-of-3.json").path)
                == !report.fileReports.isEmpty)
        }
        #expect(seen.sorted() == inputs.map(\.path).sorted())
        #expect(Set(seen).count == seen.count)
        let merged = try BatchReport.mergeShards(in: output)

        let single = output.deletingLastPathComponent().appendingPathComponent("single")
        let whole = try await BatchRunner(configuration: BatchConfiguration(outputDirectory: single, settings: "s"), work: work).run(inputs)
        #expect(timeless(merged) == timeless(whole))
        let written = try BatchReport.decoded(Data(contentsOf: output.appendingPathComponent(BatchReport.fileName)))
        #expect(timeless(written) == timeless(whole))
        // The joined manifest lets an unsharded rerun skip everything.
        let rerun = try await BatchRunner(configuration: BatchConfiguration(outputDirectory: output, settings: "s"), work: work).run(inputs)
        #expect(rerun.skipped == 12)
    }

    @Test func shardsFromTheJobIndexAndBadShards() throws {
        #expect(try BatchShard.parse("3", environment: ["JOB_COMPLETION_INDEX": "1"]) == BatchShard(index: 2, count: 3))
        #expect(try BatchShard.parse("2/5") == BatchShard(index: 2, count: 5))
        #expect(throws: BatchError.self) { try BatchShard.parse("3", environment: [:]) }
        #expect(throws: BatchError.self) { try BatchShard.parse("0/3") }
        #expect(throws: BatchError.self) { try BatchShard.parse("4/3") }
        #expect(throws: BatchError.self) { try BatchShard.parse("a/b") }
        #expect(try BatchShard(index: 1, count: 1).select([URL(fileURLWithPath: "/x.wav")]).count == 1)
    }

    @Test func mergingRefusesShardsOfDifferentSettings() {
        let a = BatchReport(fileReports: [], wallSeconds: 1, settings: "x"), b = BatchReport(fileReports: [], wallSeconds: 1, settings: "y")
        #expect(throws: BatchError.self) { try BatchReport.merged([a, b]) }
    }

    @Test func allEndpointsDownStopsTheBatchAndARerunResumes() async throws {
        let (inputs, output) = try makeInputs(6)
        let configuration = BatchConfiguration(outputDirectory: output, settings: "s")
        // Up for the first three files, then every endpoint is gone.
        let dying: BatchRunner.Work = { input, _ in
            if input.lastPathComponent >= "clip03.wav" { throw RemoteEngineError.allEndpointsDown(endpoints: ["a", "b"], lastError: "refused") }
            return [OutputFile(fileExtension: "txt", contents: input.lastPathComponent)]
        }
        await #expect(throws: BatchError.servicesDown(done: 3, total: 6, reason: RemoteEngineError.allEndpointsDown(endpoints: ["a", "b"], lastError: "refused").description)) {
            _ = try await BatchRunner(configuration: configuration, work: dying).run(inputs)
        }
        let report = try BatchReport.decoded(Data(contentsOf: output.appendingPathComponent(BatchReport.fileName)))
        #expect(report.succeeded == 3)
        let manifest = BatchManifest.load(from: output)
        #expect(manifest.entries.count == 3)
        #expect(manifest.failedAttempts?.isEmpty ?? true, "an outage is not the file's failed attempt")

        let rerun = try await BatchRunner(configuration: configuration, work: work).run(inputs)
        #expect(rerun.skipped == 3 && rerun.succeeded == 3)
    }
}
