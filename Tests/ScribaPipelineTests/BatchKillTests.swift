import Foundation
import Testing
import ScribaAudio
@testable import ScribaPipeline
import ScribaTestSupport

// A batch that survives being stopped: in-process checks of BatchRunner's stop,
// write-failure and cleanup paths, and a shortened kill trial of the real `scriba subtitles`
// (scripts/kill-trials runs the full 5-trial version on a release build).

struct BatchKillTests {
    func makeInputs(count: Int) throws -> (folder: URL, inputs: [URL]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in"), withIntermediateDirectories: true)
        let inputs = try (0..<count).map { index in
            let url = folder.appendingPathComponent("in/f\(index).wav")
            let audio = AudioBuffer(samples: (0..<(8_000 * (index + 1))).map { sinf(Float($0) * 0.03) * 0.2 }, sampleRate: 16_000)
            try WAVWriter.write(audio, to: url)
            return url
        }
        return (folder, inputs)
    }

    func echo(_ calls: Locked<[String]>, after: @escaping @Sendable (Int) -> Void = { _ in }) -> BatchRunner.Work {
        { input, audio in
            let count = calls.withLock { $0.append(input.lastPathComponent); return $0.count }
            after(count)
            return [OutputFile(fileExtension: "txt", contents: String(format: "%.3f\n", audio.duration))]
        }
    }

    @Test func aStopRequestFinishesTheCurrentFileWritesTheReportAndThrows() async throws {
        let (folder, inputs) = try makeInputs(count: 4)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        let stop = BatchStop()
        let calls = Locked<[String]>([])
        let runner = BatchRunner(configuration: .init(outputDirectory: output, settings: "t"),
                                 work: echo(calls) { if $0 == 2 { stop.request() } })
        await #expect(throws: BatchError.interrupted(done: 2, total: 4)) { try await runner.run(inputs, stop: stop) }
        #expect(calls.withLock { $0 } == ["f0.wav", "f1.wav"])
        let report = try BatchReport.decoded(Data(contentsOf: output.appendingPathComponent(BatchReport.fileName)))
        #expect(report.files == 2 && report.succeeded == 2)
        #expect(try String(contentsOf: output.appendingPathComponent("f1.txt"), encoding: .utf8) == "1.000\n")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("f2.txt").path))

        // The rerun skips the two finished files and does the rest.
        let again = try await BatchRunner(configuration: .init(outputDirectory: output, settings: "t"), work: echo(calls)).run(inputs)
        #expect(again.skipped == 2 && again.succeeded == 2)
        #expect(calls.withLock { $0 } == ["f0.wav", "f1.wav", "f2.wav", "f3.wav"])
    }

    @Test func anUnwritableOutputFolderFailsBeforeAnyWork() async throws {
        let (folder, inputs) = try makeInputs(count: 2)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A regular file where the folder should be: unwritable even for root (unlike chmod).
        let blocker = folder.appendingPathComponent("blocker")
        try Data("x".utf8).write(to: blocker)
        let calls = Locked<[String]>([])
        let runner = BatchRunner(configuration: .init(outputDirectory: blocker.appendingPathComponent("out")), work: echo(calls))
        let error = await #expect(throws: BatchError.self) { try await runner.run(inputs) }
        guard case .cannotWrite(let path, _) = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("blocker/out"))
        #expect(calls.withLock { $0 }.isEmpty)
    }

    @Test func anOutputThatCannotBeSavedStopsTheBatchWithoutPartialFiles() async throws {
        let (folder, inputs) = try makeInputs(count: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        let calls = Locked<[String]>([])
        // During the first file the folder turns into a regular file, as a disk that filled up or
        // went read-only mid-batch: saving fails, and no further file is started.
        let runner = BatchRunner(configuration: .init(outputDirectory: output)) { input, _ in
            calls.withLock { $0.append(input.lastPathComponent) }
            try FileManager.default.removeItem(at: output)
            try Data("x".utf8).write(to: output)
            return [OutputFile(fileExtension: "txt", contents: "text")]
        }
        let error = await #expect(throws: BatchError.self) { try await runner.run(inputs) }
        guard case .cannotWrite(let path, _) = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("out/f0.txt"))
        #expect(calls.withLock { $0 } == ["f0.wav"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func temporariesAKilledRunLeftAreRemoved() async throws {
        let (folder, inputs) = try makeInputs(count: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let stale = output.appendingPathComponent(".f0.txt.5C2F1A4E.partial")
        try Data("half a fi".utf8).write(to: stale)
        let keep = output.appendingPathComponent("notes.partial")
        try Data("user file".utf8).write(to: keep)
        _ = try await BatchRunner(configuration: .init(outputDirectory: output), work: echo(Locked([]))).run(inputs)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: keep.path))
    }

    // MARK: - The real CLI, killed

    static var whisperBase: URL { TestLocations.whisperBase }

    static var scriba: URL { TestLocations.scribaExecutable }

    static var canRunCLI: Bool {
        FileManager.default.fileExists(atPath: whisperBase.appendingPathComponent("model.bin").path)
            && FileManager.default.isExecutableFile(atPath: scriba.path)
    }

    /// Four clips cut from the LibriVox fixture.
    func speechInputs(in folder: URL) throws -> URL {
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let clip = try AudioFile.load(fixturesDirectory().appendingPathComponent("whisper/librivox-0870.wav"), sampleRate: 16_000).audio
        for (index, (start, end)) in [(0.0, 2.5), (1.0, 4.0), (3.0, 6.0), (4.5, 7.0)].enumerated() {
            let part = Array(clip.samples[Int(start * 16_000)..<min(clip.samples.count, Int(end * 16_000))])
            try WAVWriter.write(AudioBuffer(samples: part, sampleRate: 16_000), to: inputs.appendingPathComponent("clip\(index).wav"))
        }
        return inputs
    }

    func launch(_ inputs: URL, output: URL) throws -> Process {
        let process = Process()
        process.executableURL = Self.scriba
        process.arguments = ["subtitles", inputs.path, "--output-dir", output.path, "--engine", "whisper",
                             "--model", Self.whisperBase.path, "--language", "en", "--format", "srt", "--threads", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func finish(_ process: Process) async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }

    /// Waits until the manifest records at least one finished file.
    /// SIGKILLs `process` as soon as the manifest records a file, from a thread of its own polling
    /// every 10 ms: a task on the cooperative pool can wake, or resume, seconds late while other suites
    /// run, by which time the batch may have finished every file. Returns whether it killed.
    func killAfterFirstFile(_ output: URL, _ process: Process) async -> Bool {
        let manifest = output.appendingPathComponent(BatchManifest.fileName)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                for _ in 0..<12_000 where process.isRunning {
                    if !BatchManifest.load(from: output).entries.isEmpty, FileManager.default.fileExists(atPath: manifest.path) {
                        kill(process.processIdentifier, SIGKILL)
                        continuation.resume(returning: true)
                        return
                    }
                    usleep(10_000)
                }
                continuation.resume(returning: false)
            }
        }
    }

    func srtFiles(_ folder: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".srt") }
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) })
    }

    @Test(.enabled(if: canRunCLI, "needs scripts/fetch-whisper-base and a built scriba"))
    func sigkillThenRerunMatchesACleanRun() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kill-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try speechInputs(in: folder)

        let clean = folder.appendingPathComponent("clean")
        #expect(await finish(try launch(inputs, output: clean)) == 0)
        let cleanOutputs = try srtFiles(clean)
        #expect(cleanOutputs.count == 4 && cleanOutputs.values.allSatisfy { $0.count > 20 })

        // SIGKILL once the first file is recorded: whatever is on disk is whole, and the rerun
        // skips exactly what the manifest recorded.
        let killed = folder.appendingPathComponent("killed")
        let victim = try launch(inputs, output: killed)
        #expect(await killAfterFirstFile(killed, victim))
        _ = await finish(victim)
        let recorded = BatchManifest.load(from: killed).entries.count
        #expect(recorded >= 1 && recorded < 4)
        for (name, data) in try srtFiles(killed) { #expect(cleanOutputs[name] == data, "\(name) differs from the clean run's") }
        #expect(await finish(try launch(inputs, output: killed)) == 0)
        let report = try BatchReport.decoded(Data(contentsOf: killed.appendingPathComponent(BatchReport.fileName)))
        #expect(report.skipped == recorded && report.succeeded == 4 - recorded && report.failed == 0)
        #expect(try srtFiles(killed) == cleanOutputs)
        #expect(try FileManager.default.contentsOfDirectory(atPath: killed.path).allSatisfy { !$0.hasSuffix(".partial") })

        // SIGINT through the real CLI is checked by scripts/kill-trials, not here: inside the full
        // parallel test run the child finished all four short clips before the signal landed (or the
        // signal was lost) on two CI runs, while it passed alone; the stop logic itself is tested
        // in-process above (`aStopRequestFinishesTheCurrentFileWritesTheReportAndThrows`).
    }
}
