import Foundation
import Synchronization
import Testing
import ScribaAudio
@testable import ScribaPipeline

struct BatchRunnerTests {
    /// A fresh folder with three 1 s WAVs (a.wav, b.wav, c.wav) and a corrupt "bad.wav".
    func makeInputs() throws -> (folder: URL, inputs: URL, output: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for (name, seconds) in [("a", 1.0), ("b", 2.0), ("c", 0.5)] {
            let audio = AudioBuffer(samples: (0..<Int(seconds * 16_000)).map { sinf(Float($0) * 0.05) * 0.3 }, sampleRate: 16_000)
            try WAVWriter.write(audio, to: inputs.appendingPathComponent("\(name).wav"))
        }
        try Data("RIFF this is not audio".utf8).write(to: inputs.appendingPathComponent("bad.wav"))
        return (folder, inputs, folder.appendingPathComponent("out"))
    }

    /// Writes "<seconds>" as the only output and counts calls.
    func counter(_ calls: Locked<[String]>) -> BatchRunner.Work {
        { input, audio in
            calls.withLock { $0.append(input.lastPathComponent) }
            return [OutputFile(fileExtension: "txt", contents: String(format: "%.3f\n", audio.duration))]
        }
    }

    @Test func aCorruptFileFailsAloneAndASecondRunRedoesOnlyIt() async throws {
        let (folder, inputs, output) = try makeInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try InputCollector.collect([inputs.path])
        #expect(files.map(\.lastPathComponent) == ["a.wav", "b.wav", "bad.wav", "c.wav"])

        let calls = Locked<[String]>([])
        let runner = BatchRunner(configuration: .init(outputDirectory: output, jobs: 2, settings: "txt"), work: counter(calls))
        let first = try await runner.run(files)
        #expect(first.succeeded == 3 && first.failed == 1 && first.skipped == 0)
        #expect(first.successRate == 0.75)
        #expect(first.audioSeconds == 3.5)
        let bad = try #require(first.fileReports.first { $0.status == .failed })
        #expect(bad.input.hasSuffix("bad.wav"))
        #expect(bad.error?.contains("bad.wav") == true)
        #expect(try String(contentsOf: output.appendingPathComponent("b.txt"), encoding: .utf8) == "2.000\n")
        #expect(first.fileReports.first { $0.input.hasSuffix("b.wav") }?.realTimeFactor.map { $0 > 0 } == true)

        // The report on disk says the same.
        let saved = try BatchReport.decoded(Data(contentsOf: output.appendingPathComponent("processing_report.json")))
        #expect(saved.failed == 1 && saved.succeeded == 3 && saved.fileReports.count == 4)
        let raw = try String(contentsOf: output.appendingPathComponent("processing_report.json"), encoding: .utf8)
        #expect(raw.contains("\"success_rate\" : 0.75") && raw.contains("\"real_time_factor\""))
        #expect(saved.summary == BatchReport.Summary(totalFiles: 4, successful: 3, failed: 1, successRate: 0.75))

        calls.withLock { $0.removeAll() }
        let second = try await runner.run(files)
        #expect(calls.withLock { $0 } == [])  // bad.wav fails while decoding, before the work
        #expect(second.skipped == 3 && second.failed == 1 && second.succeeded == 0)
        #expect(second.fileReports.map(\.status) == [.skipped, .skipped, .failed, .skipped])
        // The run attempted one file and it failed: 0 ÷ (4 − 3), not the 3 skipped counted as successes.
        #expect(second.successRate == 0)

        // The original pipeline's summary and details, read as its scripts read them.
        let original = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: output.appendingPathComponent("processing_report.json"))) as? [String: Any])
        let summary = try #require(original["summary"] as? [String: Any])
        #expect(summary["total_files"] as? Int == 4 && summary["successful"] as? Int == 0 && summary["failed"] as? Int == 1)
        #expect((summary["success_rate"] as? NSNumber)?.doubleValue == 0)
        let details = try #require(original["details"] as? [[String: Any]])
        #expect(details.map { ($0["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == ["a.wav", "b.wav", "bad.wav", "c.wav"])
        #expect(details.map { $0["success"] as? Bool } == [true, true, false, true])
        #expect(details[0]["output"] as? [String] == ["a.txt"] && details[0]["error"] == nil && details[0]["skipped"] as? Bool == true)
        #expect((details[2]["error"] as? String)?.contains("bad.wav") == true && details[2]["output"] == nil)
    }

    @Test func aFailedFileGetsItsFailureOutputsAndItsAttemptsCountUntilItSucceeds() async throws {
        let (folder, inputs, output) = try makeInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try InputCollector.collect([inputs.path])
        let seen = Locked<[String]>([])
        var configuration = BatchConfiguration(outputDirectory: output, settings: "txt")
        configuration.failureOutputs = { failure in
            [OutputFile(fileExtension: "result.json", contents: "\(failure.attempts) \(failure.error.contains("bad.wav"))", separator: "_")]
        }
        let runner = BatchRunner(configuration: configuration) { input, _ in
            seen.withLock { $0.append("\(input.lastPathComponent)#\(BatchRunner.attempt)") }
            return [OutputFile(fileExtension: "result.json", contents: "ok", separator: "_")]
        }
        _ = try await runner.run(files)
        #expect(try String(contentsOf: output.appendingPathComponent("bad_result.json"), encoding: .utf8) == "1 true")
        #expect(try String(contentsOf: output.appendingPathComponent("a_result.json"), encoding: .utf8) == "ok")
        #expect(seen.withLock { $0 }.sorted() == ["a.wav#1", "b.wav#1", "c.wav#1"])
        _ = try await runner.run(files)
        #expect(try String(contentsOf: output.appendingPathComponent("bad_result.json"), encoding: .utf8) == "2 true")

        // Once it decodes, it succeeds on its third attempt and the count starts over.
        try WAVWriter.write(AudioBuffer(samples: [Float](repeating: 0.1, count: 1600), sampleRate: 16_000), to: inputs.appendingPathComponent("bad.wav"))
        _ = try await runner.run(files)
        #expect(seen.withLock { $0 }.last == "bad.wav#3")
        #expect(BatchManifest.load(from: output).failedAttempts?.isEmpty == true)
    }

    @Test func changedInputOrMissingOutputOrOtherSettingsAreRedone() async throws {
        let (folder, inputs, output) = try makeInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try InputCollector.collect([inputs.appendingPathComponent("*.wav").path])
            .filter { $0.lastPathComponent != "bad.wav" }
        let calls = Locked<[String]>([])
        _ = try await BatchRunner(configuration: .init(outputDirectory: output, settings: "txt"), work: counter(calls)).run(files)
        #expect(calls.withLock { $0 }.count == 3)
        calls.withLock { $0.removeAll() }

        // a.wav changes, c.txt disappears, b.wav untouched.
        let longer = AudioBuffer(samples: [Float](repeating: 0.1, count: 8000), sampleRate: 16_000)
        try WAVWriter.write(longer, to: inputs.appendingPathComponent("a.wav"))
        try FileManager.default.removeItem(at: output.appendingPathComponent("c.txt"))
        let report = try await BatchRunner(configuration: .init(outputDirectory: output, settings: "txt"), work: counter(calls)).run(files)
        #expect(calls.withLock { $0 }.sorted() == ["a.wav", "c.wav"])
        #expect(report.fileReports.map(\.status) == [.ok, .skipped, .ok])
        #expect(try String(contentsOf: output.appendingPathComponent("a.txt"), encoding: .utf8) == "0.500\n")

        calls.withLock { $0.removeAll() }
        _ = try await BatchRunner(configuration: .init(outputDirectory: output, settings: "srt"), work: counter(calls)).run(files)
        #expect(calls.withLock { $0 }.count == 3)

        calls.withLock { $0.removeAll() }
        _ = try await BatchRunner(configuration: .init(outputDirectory: output, resume: false, settings: "srt"), work: counter(calls)).run(files)
        #expect(calls.withLock { $0 }.count == 3)
    }

    @Test func aThrowingEngineIsReportedWithItsMessage() async throws {
        let (folder, inputs, output) = try makeInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = BatchRunner(configuration: .init(outputDirectory: output)) { input, _ in
            if input.lastPathComponent == "b.wav" { throw RemoteEngineError.rejected(url: "http://x/transcribe", status: 422, message: "no speech") }
            return [OutputFile(fileExtension: "srt", contents: "1\n")]
        }
        let report = try await runner.run([inputs.appendingPathComponent("a.wav"), inputs.appendingPathComponent("b.wav")])
        #expect(report.fileReports.map(\.status) == [.ok, .failed])
        #expect(report.fileReports[1].error == "http://x/transcribe refused the request with HTTP 422: no speech.")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("b.srt").path))
    }

    @Test func atMostJobsFilesRunAtOnce() async throws {
        let (folder, inputs, output) = try makeInputs()
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = Locked((running: 0, peak: 0))
        let runner = BatchRunner(configuration: .init(outputDirectory: output, jobs: 2)) { _, _ in
            state.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) }
            try await Task.sleep(nanoseconds: 50_000_000)
            state.withLock { $0.running -= 1 }
            return [OutputFile(fileExtension: "txt", contents: "x")]
        }
        let files = ["a", "b", "c"].map { inputs.appendingPathComponent("\($0).wav") }
        _ = try await runner.run(files + files.map { URL(fileURLWithPath: $0.path + "-copy") })
        #expect(state.withLock { $0.peak } == 2)
    }

    @Test func clashingNamesGetDistinctStems() {
        let stems = BatchRunner.stems(for: ["/a/talk.wav", "/b/talk.mp3", "/c/talk.wav", "/d/other.flac"].map(URL.init(fileURLWithPath:)))
        #expect(stems == ["talk.wav", "talk.mp3", "talk.wav-2", "other"])
    }

    @Test func atomicWriteLeavesNoTemporaryFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("x.srt")
        try AtomicFile.write("first", to: target)
        try AtomicFile.write("second", to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["x.srt"])
        #expect(throws: BatchError.self) { try AtomicFile.write("x", to: URL(fileURLWithPath: "/proc/forbidden/x.srt")) }
    }

    @Test func globsThatMatchNothingAreAnError() {
        #expect(throws: BatchError.noMatch(pattern: "/nonexistent-dir-\(0)/*.wav")) {
            try InputCollector.collect(["/nonexistent-dir-0/*.wav"])
        }
        #expect(throws: BatchError.noInputs) { try InputCollector.collect([]) }
    }
}
