import ArgumentParser
import Foundation
import ScribaPipeline
import ScribaTensor

/// `--asr-api` / `--align-api` values: a `RemoteAPI`, or auto (detect).
enum RemoteAPIArgument: String, ExpressibleByArgument, CaseIterable, Sendable {
    case auto, scriba, openai
    case vllmAligner = "vllm-aligner"

    var api: RemoteAPI? { RemoteAPI(rawValue: rawValue) }
}

extension EngineOptions {
    /// Every endpoint the flags name: --asr-url and --align-url, then the --endpoints file's lines;
    /// the default ASR address when none is given. A line's own API wins over --asr-api/--align-api.
    func remoteEndpoints() throws -> [RemoteEndpoint] {
        var list = asrUrl.map { RemoteEndpoint(url: $0, role: .asr, api: asrApi.api) }
            + alignUrl.map { RemoteEndpoint(url: $0, role: .align, api: alignApi.api) }
        if let endpoints {
            let text: String
            do {
                text = try String(contentsOfFile: endpoints, encoding: .utf8)
            } catch {
                throw ValidationError("Cannot read --endpoints \(endpoints): \(error.localizedDescription). Pass a text file with one URL per line.")
            }
            list += try RemoteEndpoint.parseList(text, file: endpoints).map { endpoint in
                var endpoint = endpoint
                if endpoint.api == nil { endpoint.api = (endpoint.role == .asr ? asrApi : alignApi).api }
                return endpoint
            }
        }
        if !list.contains(where: { $0.role == .asr }) { list.append(RemoteEndpoint(url: EngineChoice.defaultASRURL, role: .asr, api: asrApi.api)) }
        return list
    }

    /// The remote recogniser pool, and its aligner: the --align-url pool, or the local Qwen3
    /// aligner of --aligner-model (resolved already), or none. Says on stderr when no word times can
    /// come back.
    func makeRemoteEngines() async throws -> (any SpeechRecognizer, (any ForcedAligner)?) {
        let set = try await RemoteEngineSet.make(try remoteEndpoints(), retry: RetryPolicy(retries: retries),
                                                 timeout: remoteTimeout, inflight: inflight)
        if let alignerModel {
            ComputeThreads.set(threads ?? ComputeThreads.physicalCores)
            return (set.recognizer, try Qwen3Aligner(folder: URL(fileURLWithPath: alignerModel), encoderAttention: encoderAttention.value,
                                                     precision: choice.precision))
        }
        if set.aligner == nil, !set.recognizerTimesWords {
            printError("note: the ASR service answers text only (OpenAI API) and no aligner is given: times are per chunk, not per word. Pass --aligner-model or --align-url for word times.")
        }
        return (set.recognizer, set.aligner)
    }
}
