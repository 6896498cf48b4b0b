import Foundation
import ScribaAudio
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file a batch job produces: saved as `<stem><separator><fileExtension>` in the output folder
/// (`talk.srt`; `talk_result.json` with separator "_", the original pipeline's name).
public struct OutputFile: Sendable, Hashable {
    public var fileExtension: String
    public var contents: String
    public var separator: String

    public init(fileExtension: String, contents: String, separator: String = ".") {
        self.fileExtension = fileExtension
        self.contents = contents
        self.separator = separator
    }

    public func name(stem: String) -> String { stem + separator + fileExtension }
}

/// What the batch knows of a file that failed, for `BatchConfiguration.failureOutputs`.
public struct BatchFailure: Sendable {
    public var input: URL
    /// The audio's length when it decoded.
    public var audioSeconds: Double?
    /// The error's one-line description.
    public var error: String
    /// Runs that have tried this input since it last succeeded, this one included.
    public var attempts: Int
}

public struct BatchConfiguration: Sendable {
    /// Where outputs, the manifest and `processing_report.json` go; nil: nothing is saved (the
    /// caller prints the outputs it gets in `.finished` events).
    public var outputDirectory: URL?
    /// Files processed at once.
    public var jobs: Int
    /// Skip inputs whose outputs are complete and whose bytes and settings are unchanged.
    public var resume: Bool
    /// Everything that changes the outputs (formats, engine, model, language, shaping), so a run with
    /// other settings redoes the files.
    public var settings: String
    /// Rate the audio is decoded at for the engines.
    public var sampleRate: Int
    /// Files to save for an input that failed (the per-file `_result.json` with its error); nil:
    /// nothing is saved for failures.
    public var failureOutputs: (@Sendable (BatchFailure) -> [OutputFile])?
    /// This run's share of the inputs (`--shard K/N`); its manifest and report get the shard's name.
    public var shard: BatchShard?
    /// Per-endpoint counts of the remote engines, read when the report is written.
    public var endpointReports: (@Sendable () async -> [EndpointReport])?

    public init(outputDirectory: URL?, jobs: Int = 1, resume: Bool = true, settings: String = "", sampleRate: Int = 16_000,
                failureOutputs: (@Sendable (BatchFailure) -> [OutputFile])? = nil) {
        self.outputDirectory = outputDirectory
        self.jobs = max(1, jobs)
        self.resume = resume
        self.settings = settings
        self.sampleRate = sampleRate
        self.failureOutputs = failureOutputs
    }

    /// `.scriba-manifest.json`, or `.scriba-manifest.shard-K-of-N.json` for a shard.
    public var manifestName: String { shard?.fileName(BatchManifest.fileName) ?? BatchManifest.fileName }
    /// `processing_report.json`, or `processing_report.shard-K-of-N.json` for a shard.
    public var reportName: String { shard?.fileName(BatchReport.fileName) ?? BatchReport.fileName }
}

/// What one job produced: its files and, when it transcribed, the per-chunk coverage (counted in
/// the batch report).
public struct BatchWorkResult: Sendable {
    public var outputs: [OutputFile]
    public var chunks: [ChunkCoverage]?

    public init(outputs: [OutputFile], chunks: [ChunkCoverage]? = nil) {
        self.outputs = outputs
        self.chunks = chunks
    }
}

/// What a batch tells its caller as it goes (for a progress bar or log lines).
public enum BatchEvent: Sendable {
    case started(input: URL, index: Int, total: Int)
    /// `outputs` are the produced files (also when nothing is saved); empty when skipped or failed.
    case finished(FileReport, outputs: [OutputFile], index: Int, total: Int)
}

/// Runs one job per input file, `jobs` at a time: decode → `work` → save outputs atomically →
/// record in the manifest. A failing file is recorded with its reason and never stops the others.
public struct BatchRunner: Sendable {
    /// Turns one decoded input into its outputs.
    public typealias Work = @Sendable (_ input: URL, _ audio: AudioBuffer) async throws -> [OutputFile]
    /// Same, also returning the transcript's chunk coverage.
    public typealias CoverageWork = @Sendable (_ input: URL, _ audio: AudioBuffer) async throws -> BatchWorkResult

    public let configuration: BatchConfiguration
    public let work: CoverageWork

    /// Inside `work`: the runs that have tried the current input since it last succeeded, this one
    /// included (1 unless earlier runs failed on it). A task local, so the work closures keep
    /// their signature.
    @TaskLocal public static var attempt = 1

    public init(configuration: BatchConfiguration, work: @escaping Work) {
        self.configuration = configuration
        self.work = { input, audio in BatchWorkResult(outputs: try await work(input, audio)) }
    }

    public init(configuration: BatchConfiguration, coverageWork: @escaping CoverageWork) {
        self.configuration = configuration
        self.work = coverageWork
    }

    /// Output base names: the input's name without extension; inputs sharing one keep their
    /// extension ("talk.wav", "talk.mp3"), and further clashes get "-2", "-3" in input order.
    public static func stems(for inputs: [URL]) -> [String] {
        let plain = inputs.map { $0.deletingPathExtension().lastPathComponent }
        var counts: [String: Int] = [:]
        for stem in plain { counts[stem, default: 0] += 1 }
        var used: [String: Int] = [:]
        return zip(inputs, plain).map { input, stem in
            let base = counts[stem]! > 1 ? input.lastPathComponent : stem
            used[base, default: 0] += 1
            return used[base]! == 1 ? base : "\(base)-\(used[base]!)"
        }
    }

    /// Processes `inputs` and, with an output folder, saves the outputs, the manifest and
    /// `processing_report.json`. Throws only for failures of the batch itself: an unwritable folder
    /// (checked before any work), an output that cannot be saved (a full disk: the files in progress
    /// finish, none starts, the report is attempted), or `stop` (after the report is written).
    public func run(_ allInputs: [URL], stop: BatchStop? = nil, onEvent: (BatchEvent) -> Void = { _ in }) async throws -> BatchReport {
        let inputs = configuration.shard?.select(allInputs) ?? allInputs
        let clock = ContinuousClock()
        let began = clock.now
        let folder = configuration.outputDirectory
        if let folder {
            try Self.requireWritable(folder)
            Self.removeAbandonedTemporaries(in: folder)
        }
        var manifest = folder.map { BatchManifest.load(from: $0, name: configuration.manifestName) } ?? BatchManifest()
        let stems = Self.stems(for: inputs)
        var reports = [FileReport?](repeating: nil, count: inputs.count)
        let total = inputs.count
        var writeFailure: BatchError?

        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var next = 0
            func enqueue() {
                guard next < inputs.count, writeFailure == nil, stop?.isRequested != true else { return }
                let index = next
                next += 1
                onEvent(.started(input: inputs[index], index: index, total: total))
                let path = inputs[index].standardizedFileURL.path
                let known = manifest.entries[path]
                let attempt = (manifest.failedAttempts?[path] ?? 0) + 1
                group.addTask { await process(inputs[index], index: index, stem: stems[index], known: known, attempt: attempt) }
            }
            for _ in 0..<configuration.jobs { enqueue() }
            while let (index, report, outputs, entry, failure) = try await group.next() {
                reports[index] = report
                if let failure { writeFailure = writeFailure ?? failure }
                let path = inputs[index].standardizedFileURL.path
                let failures = manifest.failedAttempts?[path]
                if report.status == .failed, !Self.isServicesDown(failure) {
                    manifest.failedAttempts = manifest.failedAttempts ?? [:]
                    manifest.failedAttempts?[path] = (failures ?? 0) + 1
                } else if report.status == .ok {
                    manifest.failedAttempts?[path] = nil
                }
                if let folder, entry != nil || failures != manifest.failedAttempts?[path] {
                    // Saved after the file's outputs, so a run stopped in between redoes the file.
                    if let entry { manifest.entries[path] = entry }
                    do {
                        try manifest.save(to: folder, name: configuration.manifestName)
                    } catch let error as BatchError {
                        writeFailure = writeFailure ?? error
                    }
                }
                onEvent(.finished(report, outputs: outputs, index: index, total: total))
                enqueue()
            }
        }

        let elapsed = clock.now - began
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let report = BatchReport(fileReports: reports.compactMap { $0 }, wallSeconds: wall, settings: configuration.settings,
                                 endpoints: await configuration.endpointReports?())
        let reportFile = folder?.appendingPathComponent(configuration.reportName)
        if let writeFailure {
            if let reportFile { try? AtomicFile.write(try report.encoded(), to: reportFile) }
            if case .servicesDown(_, _, let reason) = writeFailure {
                throw BatchError.servicesDown(done: report.succeeded + report.skipped, total: total, reason: reason)
            }
            throw writeFailure
        }
        if let reportFile { try AtomicFile.write(try report.encoded(), to: reportFile) }
        if stop?.isRequested == true, report.files < total {
            throw BatchError.interrupted(done: report.files, total: total)
        }
        return report
    }

    static func isServicesDown(_ error: BatchError?) -> Bool {
        if case .servicesDown? = error { return true }
        return false
    }

    /// Deletes what a killed run left mid-write (`AtomicFile`'s `.NAME.UUID.partial` files): never
    /// outputs, only garbage. (Two batches writing one folder at once are not supported anyway.)
    static func removeAbandonedTemporaries(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".partial") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Creates `folder` if needed and proves it takes a file (a read-only folder or file system
    /// fails here, before any input is decoded, not after the first transcription).
    static func requireWritable(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw BatchError.cannotWrite(path: folder.path, reason: ReadableError.cause(error))
        }
        let probe = folder.appendingPathComponent(".scriba-write-test-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw BatchError.cannotWrite(path: folder.path, reason: String(cString: strerror(errno)))
        }
        try? FileManager.default.removeItem(at: probe)
    }

    /// One input, never throwing: failures become a `.failed` report with the error's description.
    /// One finished input: its index, report, outputs, manifest entry (nil unless saved), and the
    /// save failure that stops the batch (a full disk fails every later file too).
    private typealias Outcome = (Int, FileReport, [OutputFile], BatchManifest.Entry?, BatchError?)

    private func process(_ input: URL, index: Int, stem: String, known: BatchManifest.Entry?, attempt: Int) async -> Outcome {
        let clock = ContinuousClock()
        let began = clock.now
        func seconds() -> Double {
            let elapsed = clock.now - began
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        var audioSeconds: Double?
        do {
            let hash = try FileHash.fnv1a64(of: input)
            if configuration.resume, let folder = configuration.outputDirectory, let entry = known,
               entry.isComplete(hash: hash, settings: configuration.settings, in: folder) {
                let report = FileReport(input: input.path, status: .skipped, audioSeconds: entry.audioSeconds,
                                        processingSeconds: seconds(), outputs: entry.outputs.map(\.name))
                return (index, report, [], nil, nil)
            }
            let audio = try AudioFile.load(input, sampleRate: configuration.sampleRate).audio
            audioSeconds = audio.duration
            let result = try await Self.$attempt.withValue(attempt) { try await work(input, audio) }
            let outputs = result.outputs
            let records = try save(outputs, stem: stem)
            let report = FileReport(input: input.path, status: .ok, audioSeconds: audio.duration,
                                    processingSeconds: seconds(), outputs: records.map(\.name), chunks: result.chunks)
            let entry = BatchManifest.Entry(inputHash: hash, settings: configuration.settings,
                                            audioSeconds: audio.duration, outputs: records)
            return (index, report, outputs, entry, nil)
        } catch {
            let reason = ReadableError.sentence(error)
            var failure: BatchError?
            if let error = error as? BatchError, case .cannotWrite = error { failure = error }
            // Every endpoint down: not this file's fault. The batch stops; no failure record, no
            // attempt counted, so a rerun treats the file as new.
            if let error = error as? RemoteEngineError, error.stopsBatch {
                failure = .servicesDown(done: 0, total: 0, reason: reason)
            }
            if failure == nil, let failureOutputs = configuration.failureOutputs {
                let outputs = failureOutputs(BatchFailure(input: input, audioSeconds: audioSeconds, error: reason, attempts: attempt))
                do { _ = try save(outputs, stem: stem) } catch let error as BatchError { failure = error } catch {}
            }
            let report = FileReport(input: input.path, status: .failed, audioSeconds: audioSeconds,
                                    processingSeconds: seconds(), outputs: [], error: reason)
            return (index, report, [], nil, failure)
        }
    }

    /// Writes `outputs` as `<stem>…` into the output folder (atomically); what was written, for the
    /// manifest. Nothing without a folder.
    private func save(_ outputs: [OutputFile], stem: String) throws -> [BatchManifest.Output] {
        guard let folder = configuration.outputDirectory else { return [] }
        return try outputs.map { output in
            let name = output.name(stem: stem)
            try AtomicFile.write(output.contents, to: folder.appendingPathComponent(name))
            return BatchManifest.Output(name: name, bytes: output.contents.utf8.count)
        }
    }

    /// A one-line reason: the error's description (Scriba's errors say what to do; Foundation's are
    /// named by what happened, `ReadableError`).
}
