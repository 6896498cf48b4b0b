import Foundation
import ScribaAudio

/// One file a batch job produces: saved as `<stem>.<fileExtension>` in the output folder.
public struct OutputFile: Sendable, Hashable {
    public var fileExtension: String
    public var contents: String

    public init(fileExtension: String, contents: String) {
        self.fileExtension = fileExtension
        self.contents = contents
    }
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

    public init(outputDirectory: URL?, jobs: Int = 1, resume: Bool = true, settings: String = "", sampleRate: Int = 16_000) {
        self.outputDirectory = outputDirectory
        self.jobs = max(1, jobs)
        self.resume = resume
        self.settings = settings
        self.sampleRate = sampleRate
    }
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
    /// `processing_report.json`. Throws only for failures of the batch itself (an unwritable folder).
    public func run(_ inputs: [URL], onEvent: (BatchEvent) -> Void = { _ in }) async throws -> BatchReport {
        let clock = ContinuousClock()
        let began = clock.now
        let folder = configuration.outputDirectory
        if let folder {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw BatchError.cannotWrite(path: folder.path, reason: (error as NSError).localizedDescription)
            }
        }
        var manifest = folder.map(BatchManifest.load(from:)) ?? BatchManifest()
        let stems = Self.stems(for: inputs)
        var reports = [FileReport?](repeating: nil, count: inputs.count)
        let total = inputs.count

        try await withThrowingTaskGroup(of: (Int, FileReport, [OutputFile], BatchManifest.Entry?).self) { group in
            var next = 0
            func enqueue() {
                guard next < inputs.count else { return }
                let index = next
                next += 1
                onEvent(.started(input: inputs[index], index: index, total: total))
                let known = manifest.entries[inputs[index].standardizedFileURL.path]
                group.addTask { await process(inputs[index], index: index, stem: stems[index], known: known) }
            }
            for _ in 0..<configuration.jobs { enqueue() }
            while let (index, report, outputs, entry) = try await group.next() {
                reports[index] = report
                if let folder, let entry {
                    // Saved after the file's outputs, so a run stopped in between redoes the file.
                    manifest.entries[inputs[index].standardizedFileURL.path] = entry
                    try manifest.save(to: folder)
                }
                onEvent(.finished(report, outputs: outputs, index: index, total: total))
                enqueue()
            }
        }

        let elapsed = clock.now - began
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let report = BatchReport(fileReports: reports.compactMap { $0 }, wallSeconds: wall, settings: configuration.settings)
        if let folder { try OutputWriter.write(try report.encoded(), to: folder.appendingPathComponent(BatchReport.fileName)) }
        return report
    }

    /// One input, never throwing: failures become a `.failed` report with the error's description.
    private func process(_ input: URL, index: Int, stem: String, known: BatchManifest.Entry?) async
        -> (Int, FileReport, [OutputFile], BatchManifest.Entry?) {
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
                return (index, report, [], nil)
            }
            let audio = try AudioFile.load(input, sampleRate: configuration.sampleRate).audio
            audioSeconds = audio.duration
            let result = try await work(input, audio)
            let outputs = result.outputs
            var records: [BatchManifest.Output] = []
            if let folder = configuration.outputDirectory {
                for output in outputs {
                    let name = "\(stem).\(output.fileExtension)"
                    try OutputWriter.write(output.contents, to: folder.appendingPathComponent(name))
                    records.append(.init(name: name, bytes: output.contents.utf8.count))
                }
            }
            let report = FileReport(input: input.path, status: .ok, audioSeconds: audio.duration,
                                    processingSeconds: seconds(), outputs: records.map(\.name), chunks: result.chunks)
            let entry = BatchManifest.Entry(inputHash: hash, settings: configuration.settings,
                                            audioSeconds: audio.duration, outputs: records)
            return (index, report, outputs, entry)
        } catch {
            let report = FileReport(input: input.path, status: .failed, audioSeconds: audioSeconds,
                                    processingSeconds: seconds(), outputs: [], error: Self.reason(error))
            return (index, report, [], nil)
        }
    }

    /// A one-line reason: the error's description (Scriba's errors say what to do).
    static func reason(_ error: Error) -> String {
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }
}
