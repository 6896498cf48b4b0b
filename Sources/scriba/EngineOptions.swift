import ArgumentParser
import Foundation
import ScribaModels
import ScribaPipeline
import ScribaTensor

/// `--encoder-attention` values (see `Qwen3EncoderAttention`).
enum EncoderAttentionArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case windowed
    case wholeClip = "whole-clip"

    var value: Qwen3EncoderAttention { self == .windowed ? .windowed : .wholeClip }
}

/// Engines `--engine` accepts. Only engines that exist are listed, so no value leads to a placeholder.
enum EngineKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// OpenAI Whisper (CTranslate2 or Hugging Face folder), local; word times from its cross-attention.
    case whisper
    /// Qwen3-ASR (1.7B / 0.6B Hugging Face folder), local; word times from Qwen3-ForcedAligner when
    /// --aligner-model (or the cached Qwen/Qwen3-ForcedAligner-0.6B) is there.
    case qwen3
    /// Scriba's own ASR / aligner services (`scriba serve`) over HTTP.
    case remote
}

/// Flags every transcribing command shares: which engine, which model, which language.
struct EngineOptions: ParsableArguments {
    @Option(help: "Engine: \(EngineKind.allCases.map(\.rawValue).joined(separator: "|")). Default: qwen3 when Qwen3-ASR is in the model cache, else whisper (model whisper-base). remote: Scriba services over HTTP, see --asr-url.")
    var engine: EngineKind?

    @Option(help: "ASR model folder or name (local engines).")
    var model: String?

    @Option(help: "Forced-aligner model folder or name (local engines).")
    var alignerModel: String?

    @Option(help: "Spoken language: auto, or a code/name (zh, en, ja, ko, yue, de, fr, ...).")
    var language: String = "auto"

    @Option(help: "Qwen3 weight storage: f32, bf16 or int8 (group-wise). Default: the checkpoint's dtype (bf16 for the released models).")
    var precision: String?

    @Option(help: "Qwen3 audio-encoder attention: windowed (the model's own windows, n_window_infer: 8 s in the released models; as vLLM and flash-attention compute it) or whole-clip (as the official transformers code computes on a CPU). Equal for clips up to one window.")
    var encoderAttention: EncoderAttentionArgument = .windowed

    @Option(help: "CPU threads for local inference (default: all cores).")
    var threads: Int?

    @Option(help: "ASR service address for --engine remote.")
    var asrUrl: String = "http://127.0.0.1:7861"

    @Option(help: "Aligner service address for --engine remote (e.g. http://127.0.0.1:7862); without it, word times come from the ASR service.")
    var alignUrl: String?

    @Option(help: "Retries for remote calls after a connection error or a 5xx answer (exponential backoff with jitter; 4xx is never retried).")
    var retries: Int = RetryPolicy.defaultRetries

    @Option(help: "Text that biases recognition: names, terms, topic (Qwen3: the prompt's system turn; Whisper: initial prompt).")
    var context: String?

    @Flag(help: "Never download: use only models already on disk (as HF_HUB_OFFLINE=1 does). Without it, a repo id missing from the cache is pulled on first use.")
    var offline = false

    @Option(help: "Read --context from this UTF-8 text file.")
    var contextFile: String?

    func validate() throws {
        _ = try parsedLanguage()
        if context != nil, contextFile != nil { throw ValidationError("Pass --context or --context-file, not both.") }
        if retries < 0 || retries > 20 { throw ValidationError("--retries \(retries) is outside 0...20.") }
        if let precision, WeightPrecision(argument: precision) == nil {
            throw ValidationError("--precision \(precision) is not one of f32, bf16, int8.")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        if engine == .remote, model != nil || alignerModel != nil {
            throw ValidationError("--model and --aligner-model choose local models; with --engine remote the services decide. Drop them or pick a local engine.")
        }
    }

    /// --context, or the contents of --context-file.
    func contextText() throws -> String? {
        guard let contextFile else { return context }
        do {
            return try String(contentsOfFile: contextFile, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read --context-file \(contextFile): \(error.localizedDescription). Pass a UTF-8 text file.")
        }
    }

    /// nil: detect.
    func parsedLanguage() throws -> Language? {
        do {
            return try Language.parse(language)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The recogniser and (when configured) the aligner the flags name.
    func makeEngines() throws -> (any SpeechRecognizer, (any ForcedAligner)?) {
        if let threads { BLAS.setThreads(threads) }
        let retry = RetryPolicy(retries: retries)
        switch resolvedEngine() {
        case .whisper:
            if alignerModel != nil {
                throw ValidationError("--aligner-model needs a separate aligner; Whisper times words itself. Drop --aligner-model.")
            }
            let folder = try localModelFolder(model ?? KnownModels.whisperBase)
            return (try WhisperRecognizer(folder: folder), nil)
        case .qwen3:
            let name = try model ?? KnownModels.preferredRecognizers.first { try localModelFolderIfCached($0) != nil }
            guard let name else {
                throw ModelHubError.notCached(repo: KnownModels.preferredRecognizers[0], revision: "main")
            }
            let storage = precision.flatMap(WeightPrecision.init(argument:))
            let attention = encoderAttention.value
            let recognizer = try Qwen3Recognizer(folder: try localModelFolder(name), maxChunkDuration: Self.qwen3ChunkSeconds,
                                                 encoderAttention: attention, precision: storage)
            let alignerFolder = try alignerModel.map(localModelFolder) ?? localModelFolderIfCached(KnownModels.aligner)
            return (recognizer, try alignerFolder.map { try Qwen3Aligner(folder: $0, encoderAttention: attention, precision: storage) })
        case .remote:
            let recognizer = try RemoteRecognizer(baseURL: asrUrl, retry: retry)
            let aligner = try alignUrl.map { try RemoteAligner(baseURL: $0, retry: retry) }
            return (recognizer, aligner)
        }
    }

    /// The engine to run: the one asked for, else Qwen3 when cached, else Whisper base with a notice
    /// (an explicit --model picks Whisper, the engine that reads most folder layouts).
    func resolvedEngine() -> EngineKind {
        if let engine { return engine }
        if model != nil { return .whisper }
        let choice = KnownModels.defaultRecognizerModel(resolver: ModelResolver())
        if let notice = choice.notice { printError(notice) }
        return choice.engine == .qwen3ASR ? .qwen3 : .whisper
    }

    /// What changes the transcript, for the batch manifest (a change redoes finished files).
    var settingsKey: String {
        var parts = ["engine=\(engine?.rawValue ?? "default")", "language=\(language)"]
        if let model { parts.append("model=\(model)") }
        if let alignerModel { parts.append("aligner=\(alignerModel)") }
        if engine == .remote { parts += ["asr=\(asrUrl)", "align=\(alignUrl ?? "-")"] }
        if let context { parts.append("context=\(context)") }
        if let contextFile { parts.append("context-file=\(contextFile)") }
        return parts.joined(separator: " ")
    }

    /// The pipeline these flags describe, with options asking for word times the cheapest way: the
    /// aligner when there is one, else the recogniser's own.
    func makePipeline(wordTimes: Bool = true) async throws -> (TranscriptionPipeline, PipelineOptions) {
        let (recognizer, aligner) = try await resolvingModels().makeEngines()
        let options = PipelineOptions(
            recognition: RecognitionOptions(language: try parsedLanguage(), context: try contextText(),
                                            wordTimestamps: wordTimes && aligner == nil),
            align: wordTimes && aligner != nil)
        return (TranscriptionPipeline(recognizer: recognizer, aligner: aligner), options)
    }
}

extension EngineOptions {
    /// Chunk length for Qwen3-ASR in the CLI: well inside the aligner's 180 s and small enough that the
    /// 1.7B model's KV cache stays near 100 MB (it takes ~230 kB per position, 13 positions per second).
    static let qwen3ChunkSeconds = 30.0
}

extension EngineOptions {
    /// These options with every model name replaced by its local folder, pulling missing repos now
    /// (progress on stderr) unless offline, so `makeEngines()` never touches the network. The engine
    /// choice is fixed here too, so the default-model notice prints once.
    func resolvingModels() async throws -> EngineOptions {
        var resolved = self
        let kind = resolvedEngine()
        resolved.engine = kind
        switch kind {
        case .remote:
            break
        case .whisper:
            resolved.model = try await resolveModel(model ?? KnownModels.whisperBase).path
        case .qwen3:
            let cached = try model == nil ? KnownModels.preferredRecognizers.first { try localModelFolderIfCached($0) != nil } : nil
            resolved.model = try await resolveModel(model ?? cached ?? KnownModels.preferredRecognizers[0]).path
            if let alignerModel { resolved.alignerModel = try await resolveModel(alignerModel).path }
        }
        return resolved
    }

    /// A folder path, or a name found in the caches, or a repo pulled now unless offline.
    func resolveModel(_ nameOrPath: String) async throws -> URL {
        var environment = HubEnvironment()
        if offline { environment.offline = true }
        let resolver = ModelResolver(environment: environment)
        if let folder = try resolver.localLocation(nameOrPath) { return folder }
        if !environment.offline {
            printError("\(try resolver.repoToPull(nameOrPath)) is not in the model cache: downloading it from "
                + "\(environment.endpoint.absoluteString) into \(environment.hubCache.path) (first use; --offline or HF_HUB_OFFLINE=1 prevents this).")
        }
        let bar = PullProgressBar()
        defer { bar.finish() }
        return try await resolver.resolve(nameOrPath, pullIfMissing: true) { bar.draw($0) }
    }
}

func localModelFolderIfCached(_ nameOrPath: String) throws -> URL? {
    try ModelResolver().localLocation(nameOrPath)
}

/// A model named on the command line as a folder or a cached name; never touches the network.
func localModelFolder(_ nameOrPath: String) throws -> URL {
    if let folder = try ModelResolver().localLocation(nameOrPath) { return folder }
    throw ModelHubError.notCached(repo: nameOrPath, revision: "main")
}

/// The engines `options` name (the form `scriba serve` calls).
func makeEngines(_ options: EngineOptions) throws -> (any SpeechRecognizer, (any ForcedAligner)?) {
    try options.makeEngines()
}

/// Flags of commands that process many files into an output folder.
struct BatchOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output-dir")], help: "Folder for outputs, the manifest and processing_report.json.")
    var outputDir: String = "."

    @Option(help: "Files processed at once.")
    var jobs: Int = 1

    @Flag(inversion: .prefixedNo, help: "Skip files whose outputs are complete and whose audio and settings are unchanged.")
    var resume = true

    func validate() throws {
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs \(jobs) is outside 1...64.") }
    }

    func configuration(settings: String) -> BatchConfiguration {
        BatchConfiguration(outputDirectory: URL(fileURLWithPath: outputDir), jobs: jobs, resume: resume, settings: settings)
    }
}

/// Runs a batch with a progress bar and Ctrl-C handling; warnings for partial chunks, and
/// `PartialOutput` (exit 7) unless `allowPartial`.
func runBatch(_ inputs: [String], configuration: BatchConfiguration, allowPartial: Bool,
              coverageWork: @escaping BatchRunner.CoverageWork) async throws {
    let files = try InputCollector.collect(inputs)
    let progress = BatchProgressBar(total: files.count)
    // Ctrl-C: finish the files in progress, write the report, exit 130; a second Ctrl-C ends at once.
    let stop = BatchStop.onInterrupt(message: "stopping after the files in progress (Ctrl-C again to quit now)...")
    let report = try await BatchRunner(configuration: configuration, coverageWork: coverageWork).run(files, stop: stop) { progress.handle($0) }
    progress.finish(report)
    if report.failed > 0 {
        for file in report.fileReports { for line in CoverageWarnings.lines(for: file) { printError(line) } }
        throw InputsFailed(failed: report.failed, total: report.files)
    }
    try CoverageWarnings.check(report, allowPartial: allowPartial)
}
