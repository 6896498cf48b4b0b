import ArgumentParser
import Foundation
import ScribaFormats
import ScribaModels
import ScribaPipeline
import ScribaTensor

/// `--encoder-attention` values (see `Qwen3EncoderAttention`).
enum EncoderAttentionArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case windowed
    case wholeClip = "whole-clip"

    var value: Qwen3EncoderAttention { self == .windowed ? .windowed : .wholeClip }
}

/// `--engine` values: the library's engine kinds.
typealias EngineKind = EngineChoice.Kind
extension EngineChoice.Kind: ExpressibleByArgument {}

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

    @Option(help: "Weights and matrix products: f32, bf16, int8 (128-column scales) or int8-row. Default: Qwen3 the checkpoint's dtype with f32 products (equal to f32); Whisper int8 (its text equals f32's on the comparison clips). bf16/int8 asked for run the many-row products in that precision (oneDNN): faster, not exact.")
    var precision: String?

    @Option(help: "Qwen3 audio-encoder attention: windowed (the model's own windows, n_window_infer: 8 s in the released models; as vLLM and flash-attention compute it) or whole-clip (as the official transformers code computes on a CPU). Equal for clips up to one window.")
    var encoderAttention: EncoderAttentionArgument = .windowed

    @Option(help: "CPU threads for local inference: Scriba's own, OpenBLAS's and oneDNN's (default: the physical cores).")
    var threads: Int?

    @Option(help: "ASR service address for --engine remote (default http://127.0.0.1:7861); repeat it for several servers: chunks are shared out over all of them, with failover.")
    var asrUrl: [String] = []

    @Option(help: "Aligner service address for --engine remote (e.g. http://127.0.0.1:7862, or a vLLM /pooling aligner); repeatable. Without it, word times come from the ASR service (or --aligner-model).")
    var alignUrl: [String] = []

    @Option(help: "File of remote endpoints, one per line: `[asr|align] URL [scriba|openai|vllm-aligner]` (# comments). Adds to --asr-url/--align-url.")
    var endpoints: String?

    @Option(help: "API of the ASR services: auto (GET /v1/models, /health), scriba (/transcribe) or openai (/v1/audio/transcriptions: vLLM and others; text only).")
    var asrApi: RemoteAPIArgument = .auto

    @Option(help: "API of the aligner services: auto, scriba (/align) or vllm-aligner (vLLM's /pooling forced aligner).")
    var alignApi: RemoteAPIArgument = .auto

    @Option(help: "Requests in flight per remote endpoint (vLLM batches concurrent requests).")
    var inflight: Int = EndpointPoolOptions.defaultInflight

    @Option(help: "Retries for remote calls after a connection error or a 5xx answer (exponential backoff with jitter; 4xx is never retried).")
    var retries: Int = RetryPolicy.defaultRetries

    @Option(help: "Seconds to wait for one answer of a remote service (--engine remote).")
    var remoteTimeout: Double = EngineChoice.defaultRemoteTimeout

    @Option(help: "Longest chunk of audio sent to the engine at once, seconds (cut at pauses). Default: 30 (Qwen3, Whisper, remote). At most what the engine takes: whisper \(Int(EngineChoice.chunkLimit(.whisper))), qwen3 \(Int(EngineChoice.chunkLimit(.qwen3))), remote \(Int(EngineChoice.chunkLimit(.remote))).")
    var maxChunkSeconds: Double?

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
            throw ValidationError("--precision \(precision) is not one of f32, bf16, int8, int8-row.")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        if !(remoteTimeout > 0 && remoteTimeout <= 86_400) { throw ValidationError("--remote-timeout \(remoteTimeout) is outside (0, 86400] seconds; e.g. --remote-timeout 600.") }
        if let maxChunkSeconds, !(maxChunkSeconds >= 1) {
            throw ValidationError("--max-chunk-seconds must be at least 1 (got \(maxChunkSeconds)).")
        }
        if let engine {
            do { try checkChunkLength(engine) } catch { throw ValidationError("\(error)") }
        }
        if engine == .whisper, alignerModel != nil {
            throw ValidationError("\(EngineChoiceError.alignerWithWhisper)")
        }
        if engine == .remote, model != nil {
            throw ValidationError("--model chooses a local model; with --engine remote the services decide. Drop it or pick a local engine.")
        }
        if engine == .remote, alignerModel != nil, !alignUrl.isEmpty {
            throw ValidationError("Pass --aligner-model (align here) or --align-url (align remotely), not both.")
        }
        if engine != .remote, !(asrUrl.isEmpty && alignUrl.isEmpty && endpoints == nil) {
            throw ValidationError("--asr-url, --align-url and --endpoints need --engine remote.")
        }
        if inflight < 1 || inflight > 64 { throw ValidationError("--inflight \(inflight) is outside 1...64.") }
        if asrApi == .vllmAligner { throw ValidationError("--asr-api vllm-aligner: an aligner cannot transcribe; use it with --align-api.") }
        if alignApi == .openai { throw ValidationError("--align-api openai: an OpenAI transcription service cannot align; use scriba or vllm-aligner.") }
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

    /// The engine choice these flags make (models still named as given).
    var choice: EngineChoice {
        EngineChoice(kind: engine, model: model, alignerModel: alignerModel, precision: precision.flatMap(WeightPrecision.init(argument:)),
                     encoderAttention: encoderAttention.value, asrURL: asrUrl.first ?? EngineChoice.defaultASRURL, alignURL: alignUrl.first,
                     retry: RetryPolicy(retries: retries), remoteTimeout: remoteTimeout, offline: offline)
    }

    /// The recogniser and (when configured) the aligner the flags name, from local folders.
    func makeEngines() throws -> (any SpeechRecognizer, (any ForcedAligner)?) {
        ComputeThreads.set(threads ?? ComputeThreads.physicalCores)
        return try EngineFactory.makeEngines(choice)
    }

    /// What changes the transcript, for the batch manifest (a change redoes finished files).
    var settingsKey: String {
        var parts = ["engine=\(engine?.rawValue ?? "default")", "language=\(language)"]
        if let model { parts.append("model=\(model)") }
        if let alignerModel { parts.append("aligner=\(alignerModel)") }
        // Not the addresses: servers come and go between runs (a rerun after an outage resumes);
        // what they serve is the user's to keep the same.
        if engine == .remote { parts += ["asr-api=\(asrApi.rawValue)", "align=\(alignUrl.isEmpty ? "-" : alignApi.rawValue)"] }
        if let context { parts.append("context=\(context)") }
        if let contextFile { parts.append("context-file=\(contextFile)") }
        if let precision { parts.append("precision=\(precision)") }
        if let maxChunkSeconds { parts.append("max-chunk-seconds=\(maxChunkSeconds)") }
        if encoderAttention != .windowed { parts.append("encoder-attention=\(encoderAttention.rawValue)") }
        return parts.joined(separator: " ")
    }

    /// --max-chunk-seconds against the most `kind` takes in one call.
    private func checkChunkLength(_ kind: EngineChoice.Kind) throws(EngineChoiceError) {
        guard let maxChunkSeconds else { return }
        let limit = EngineChoice.chunkLimit(kind)
        if maxChunkSeconds > limit { throw .chunkTooLong(seconds: maxChunkSeconds, kind: kind, limit: limit) }
    }

    /// The pipeline these flags describe, with options asking for word times the cheapest way: the
    /// aligner when there is one, else the recogniser's own; and the engine and model it runs, for
    /// the JSON's metadata (the caller adds the file).
    func makePipeline(wordTimes: Bool = true) async throws -> (TranscriptionPipeline, PipelineOptions, TranscriptSource) {
        // The default engine is known only now (Qwen3 when cached): check the chunk length before
        // any model is pulled or loaded.
        try checkChunkLength(EngineFactory.resolvedKind(choice, notice: { _ in }))
        let resolved = try await resolvingModels()
        let (recognizer, aligner) = try await resolved.engine == .remote ? resolved.makeRemoteEngines() : resolved.makeEngines()
        let options = PipelineOptions(
            recognition: RecognitionOptions(language: try parsedLanguage(), context: try contextText(),
                                            wordTimestamps: wordTimes && aligner == nil),
            align: wordTimes && aligner != nil, maxChunkDuration: maxChunkSeconds)
        let source = TranscriptSource(engine: resolved.engine?.rawValue, model: recognizer.modelName)
        return (TranscriptionPipeline(recognizer: recognizer, aligner: aligner), options, source)
    }
}

extension EngineOptions {
    /// These options with the engine fixed and every model name replaced by its local folder,
    /// pulling missing repos now (progress on stderr) unless offline, so `makeEngines()` never
    /// touches the network. The default-model notice prints once, here.
    func resolvingModels() async throws -> EngineOptions {
        let bar = PullProgressBar()
        defer { bar.finish() }
        let resolved = try await EngineFactory.resolvingModels(choice, notice: printError) { bar.draw($0) }
        var options = self
        options.engine = resolved.kind
        options.model = resolved.model
        options.alignerModel = resolved.alignerModel
        return options
    }

    /// A folder path, or a name found in the caches, or a repo pulled now unless offline.
    func resolveModel(_ nameOrPath: String) async throws -> URL {
        let bar = PullProgressBar()
        defer { bar.finish() }
        return try await EngineFactory.resolveModel(nameOrPath, offline: offline, notice: printError) { bar.draw($0) }
    }
}

/// Flags of commands that process many files into an output folder.
struct BatchOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output-dir")], help: "Folder for outputs, the manifest and processing_report.json.")
    var outputDir: String = "."

    @Option(help: "Files processed at once.")
    var jobs: Int = 1

    @Flag(inversion: .prefixedNo, help: "Skip files whose outputs are complete and whose audio and settings are unchanged.")
    var resume = true

    @Option(help: "Process only this machine's share of the inputs: K/N (1 ≤ K ≤ N; by a hash of each path, stable across machines), or N alone with K = JOB_COMPLETION_INDEX + 1 (Kubernetes Indexed Jobs). The shard writes its own manifest and report; `scriba report merge DIR` joins the reports.")
    var shard: String?

    @Flag(help: "Print the plan and stop before any model loads: each input's length, the total, and the estimated wall time and peak memory for the engine, precision and --jobs (from the last run in the output folder, else scriba-bench's figures).")
    var dryRun = false

    func validate() throws {
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs \(jobs) is outside 1...64.") }
        if let shard { do { _ = try BatchShard.parse(shard) } catch { throw ValidationError("\(error)") } }
    }

    /// The --shard share (validated already).
    var parsedShard: BatchShard? { shard.flatMap { try? BatchShard.parse($0) } }

    /// The inputs this run processes: all, or the shard's.
    func selected(_ files: [URL]) -> [URL] { parsedShard?.select(files) ?? files }

    func configuration(settings: String, pipeline: TranscriptionPipeline? = nil) -> BatchConfiguration {
        var configuration = BatchConfiguration(outputDirectory: URL(fileURLWithPath: outputDir), jobs: jobs, resume: resume, settings: settings)
        configuration.shard = parsedShard
        if let pipeline { configuration.endpointReports = { await pipeline.endpointReports() ?? [] } }
        return configuration
    }
}

/// Runs a batch of `files` (collected before any model is resolved: `InputCollector.collect`) with a
/// progress bar and Ctrl-C handling; warnings for partial chunks, and
/// `PartialOutput` (exit 7) unless `allowPartial`.
func runBatch(_ files: [URL], configuration: BatchConfiguration, allowPartial: Bool,
              coverageWork: @escaping BatchRunner.CoverageWork) async throws {
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
