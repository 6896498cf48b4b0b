import Foundation
import ScribaTensor
import ScribaAudio
import ScribaModels

/// What a batch will take before any model loads (`--dry-run`, and the first line of a real batch),
/// as the original pipeline's `estimate_resource_requirements` did: audio length × the engine's
/// real-time factor, and memory for the models plus each concurrent job.
public struct BatchPlan: Sendable {
    /// "1.2 GB": how the plan writes memory and model sizes.
    public static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }

    public struct Input: Sendable {
        public var url: URL
        /// nil when the file could not be probed (`problem` says why; the batch will report it).
        public var seconds: Double?
        public var problem: String?
    }

    public var inputs: [Input]
    public var figures: EngineFigures
    public var jobs: Int
    /// What the machine has free now (`MemAvailable`), when known.
    public var availableBytes: Double?

    /// Audio seconds of every probed input.
    public var totalSeconds: Double { inputs.reduce(0) { $0 + ($1.seconds ?? 0) } }

    /// Model load + audio × RTF. Jobs share the same cores (each engine call already uses all of
    /// them), so more jobs do not divide the compute time; nil when no figure is known (remote).
    public var wallSeconds: Double? {
        figures.realTimeFactor.map { figures.loadSeconds + totalSeconds * $0 }
    }

    /// The models once, plus per concurrent job the engine's working memory and the decoded audio of
    /// one of the longest inputs (16 kHz float, three copies: the file, its chunk, the features' input).
    public var peakBytes: Double {
        let longest = inputs.compactMap(\.seconds).max() ?? 0
        let audio = longest * 16_000 * 4 * 3
        return figures.modelBytes + Double(min(jobs, max(1, inputs.count))) * (figures.jobBytes + audio)
    }

    /// `--jobs` × what a job needs exceeds the memory available now.
    public var exceedsMemory: Bool { availableBytes.map { peakBytes > $0 } ?? false }

    public init(inputs: [Input], figures: EngineFigures, jobs: Int, availableBytes: Double? = BatchPlan.availableMemory()) {
        self.inputs = inputs
        self.figures = figures
        self.jobs = max(1, jobs)
        self.availableBytes = availableBytes
    }

    /// Probes every file (headers only: `AudioFile.probe`).
    public static func probing(_ files: [URL], figures: EngineFigures, jobs: Int) -> BatchPlan {
        let inputs = files.map { url -> Input in
            do { return Input(url: url, seconds: try AudioFile.probe(url).duration) } catch {
                return Input(url: url, seconds: nil, problem: ReadableError.sentence(error))
            }
        }
        return BatchPlan(inputs: inputs, figures: figures, jobs: jobs)
    }

    /// `MemAvailable` from /proc/meminfo; the physical memory where there is none (macOS).
    public static func availableMemory() -> Double? {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kB = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kB * 1024
        }
        return Double(ProcessInfo.processInfo.physicalMemory)
    }
}

/// How fast and how large an engine is, for `BatchPlan`.
public struct EngineFigures: Sendable, Equatable {
    /// Processing seconds per audio second, one file at a time (model load excluded); nil: unknown.
    public var realTimeFactor: Double?
    public var loadSeconds: Double
    /// Resident bytes of the loaded models (shared by every job).
    public var modelBytes: Double
    /// Working memory of one job beyond the models (activations, caches, scratch).
    public var jobBytes: Double
    /// Where the figures come from, said to the reader.
    public var basis: String

    public init(realTimeFactor: Double?, loadSeconds: Double, modelBytes: Double, jobBytes: Double, basis: String) {
        self.realTimeFactor = realTimeFactor
        self.loadSeconds = loadSeconds
        self.modelBytes = modelBytes
        self.jobBytes = jobBytes
        self.basis = basis
    }

    /// Whisper base at its default precision (int8) on the project's CPU (2 cores, AVX-512), release
    /// build: `scriba subtitles` over the five LibriVox clips took 5.74 s for 24.7 s of audio, 0.4 s of
    /// it loading (the whole pipeline: voice detection, word times, writers); peak RSS 350 MB.
    /// (`scriba-bench whisper`, decoding alone: int8 0.099, bf16 0.104, f32 0.151; docs/benchmarks.md.)
    static let whisperBase = EngineFigures(realTimeFactor: 0.216, loadSeconds: 0.4, modelBytes: 110e6, jobBytes: 240e6,
                                           basis: "scriba subtitles with Whisper base int8 on the project's CPU (docs/benchmarks.md)")
    /// Whisper base's RTF at each precision relative to its default (int8).
    static func whisperSpeed(_ precision: WeightPrecision?) -> Double {
        switch precision {
        case .f32?: 0.151 / 0.099
        case .bf16?: 0.104 / 0.099
        default: 1
        }
    }
    /// Whisper base's `model.bin` on disk (CTranslate2 fp16, converted to the precision when loaded).
    static let whisperBaseFileBytes = 145_217_532.0
    /// Qwen3-ASR by default (checkpoint dtype, f32 products), 30 s chunks: 1.7B RTF 0.904; the
    /// ForcedAligner adds 0.201. Asked for, bf16 runs at 0.46× and int8 at 0.38× that time (1.7B:
    /// 0.416 and 0.344). Peak RSS 1.2 × the weights.
    static let qwen3RTFPerWeightGB = 0.904 / 4.09
    static let alignerRTF = 0.201
    static let qwen3PeakRatio = 1.2
    /// Loading reads the weights once: about 1 s per GB from the page cache on the project's machine.
    static let loadSecondsPerGB = 1.0

    /// The figures for `choice` (kind resolved, models named as on disk): the measured reference for
    /// Whisper base; for Qwen3 the weights' size on disk, scaled by precision, gives the memory and,
    /// through the 1.7B's measured RTF per GB, the time (bf16 / int8 asked for run the products in
    /// that precision: 0.46× / 0.38× the default's time, measured). Remote engines: memory only here, time unknown.
    public static func reference(for choice: EngineChoice, kind: EngineChoice.Kind) -> EngineFigures {
        switch kind {
        case .remote:
            return EngineFigures(realTimeFactor: nil, loadSeconds: 0, modelBytes: 0, jobBytes: 50e6,
                                 basis: "remote: the service's speed is unknown until one run has finished here")
        case .whisper:
            var base = whisperBase
            base.realTimeFactor = base.realTimeFactor.map { $0 * whisperSpeed(choice.precision) }
            guard let bytes = weightBytes(choice.model ?? KnownModels.whisperBase) else { return base }
            // Another Whisper size (or layout): base's figures scaled by the weights on disk.
            let scale = bytes / whisperBaseFileBytes
            guard abs(scale - 1) > 0.05 else { return base }
            base.modelBytes *= scale
            base.jobBytes *= scale
            base.loadSeconds *= scale
            base.realTimeFactor = base.realTimeFactor.map { $0 * scale }
            base.basis = "Whisper base's measured figures scaled by the model's weights (\(BatchPlan.gigabytes(bytes)) on disk)"
            return base
        case .qwen3:
            let name = choice.model ?? KnownModels.preferredRecognizers[0]
            let stored = weightBytes(name) ?? (name.contains("0.6B") ? 1.57e9 : 4.09e9)
            let aligner = weightBytes(choice.alignerModel ?? KnownModels.aligner)
            let factor: Double = switch choice.precision {
            case .f32?: 2
            case .int8?: 0.55
            default: 1
            }
            let speed: Double = switch choice.precision {
            case .f32?: 2
            case .bf16?: 0.46
            case .int8?: 0.38
            case nil: 1
            }
            let resident = (stored + (aligner ?? 0)) * factor
            return EngineFigures(
                realTimeFactor: stored / 1e9 * qwen3RTFPerWeightGB * speed + (aligner == nil ? 0 : alignerRTF),
                loadSeconds: resident / 1e9 * loadSecondsPerGB, modelBytes: resident,
                jobBytes: resident * (qwen3PeakRatio - 1),
                basis: "Qwen3-ASR 1.7B's measured time per GB of weights (scriba-bench, docs/benchmarks.md), \(BatchPlan.gigabytes(stored)) of weights")
        }
    }

    /// The previous run's own figures in `folder` (`processing_report.json`) when it had the same
    /// settings and processed files: this machine, this engine, measured.
    public static func measured(in folder: URL?, settings: String, fallback: EngineFigures) -> EngineFigures {
        guard let folder, let data = try? Data(contentsOf: folder.appendingPathComponent(BatchReport.fileName)),
              let report = try? BatchReport.decoded(data), report.settings == settings else { return fallback }
        let done = report.fileReports.filter { $0.status == .ok && ($0.audioSeconds ?? 0) > 0 }
        let audio = done.reduce(0) { $0 + ($1.audioSeconds ?? 0) }
        guard audio > 0 else { return fallback }
        var figures = fallback
        figures.realTimeFactor = done.reduce(0) { $0 + $1.processingSeconds } / audio
        figures.basis = "measured by the last run in \(folder.path) (\(done.count) file\(done.count == 1 ? "" : "s"))"
        return figures
    }

    /// Bytes of a local model folder's weight files; nil when the model is not on disk.
    static func weightBytes(_ nameOrPath: String) -> Double? {
        guard let folder = try? ModelResolver().localLocation(nameOrPath),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        let sizes = names.filter { $0.hasSuffix(".safetensors") || $0 == "model.bin" }.compactMap { name in
            ModelCache.fileSize(folder.appendingPathComponent(name).resolvingSymlinksInPath()).map(Double.init)
        }
        return sizes.isEmpty ? nil : sizes.reduce(0, +)
    }
}
