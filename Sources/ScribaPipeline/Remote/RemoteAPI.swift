import Foundation

/// The HTTP APIs a remote engine speaks, chosen per URL.
public enum RemoteAPI: String, Sendable, CaseIterable, Codable {
    /// Scriba's own `POST /transcribe` (ASR) and `POST /align` (aligner), `scriba serve`.
    case scriba
    /// OpenAI's `POST /v1/audio/transcriptions` (vLLM, Scriba's OpenAI route, others): text only.
    case openai
    /// vLLM serving Qwen3-ForcedAligner as a pooling model: `POST /pooling`, `task: token_classify`.
    case vllmAligner = "vllm-aligner"

    /// Whether an endpoint of this API recognises speech (else it aligns).
    public var recognizes: Bool { self != .vllmAligner }
}

/// What `GET /v1/models` and `GET /health` say about a service.
public struct RemoteServiceInfo: Sendable, Equatable {
    public var api: RemoteAPI
    /// The first model id of `/v1/models` (vLLM wants it in every request); nil when not listed.
    public var model: String?
}

/// Finds out which API a URL serves, without sending audio: `GET /v1/models` (Scriba answers with
/// `owned_by: "scriba"`, vLLM with `"vllm"`); a service without a model list is taken for Scriba's
/// (its aligner port has none). `GET /health` then only checks that something answers.
public enum RemoteAPIDetector {
    /// Seconds per probe: a service that does not answer this fast is not ready for a batch.
    public static let probeTimeout = 30.0

    /// The API of the service at `base` for the role asked (`recognizer` true: ASR, false: aligner);
    /// `forced` skips the guess but still reads the model id.
    public static func detect(_ base: String, recognizer: Bool, forced: RemoteAPI? = nil,
                              timeout: Double = probeTimeout) async throws -> RemoteServiceInfo {
        let root = try RemoteHTTPClient.base(base)
        if let forced { return RemoteServiceInfo(api: forced, model: (try? await models(at: root, timeout: timeout))?.model) }
        let owner: (owner: String?, model: String?)?
        do {
            owner = try await models(at: root, timeout: timeout)
        } catch let error as RemoteEngineError where error.isRetryable {
            throw error  // no answer: nothing to tell from
        } catch {
            owner = nil
        }
        if let owner {
            if owner.owner == "scriba" { return RemoteServiceInfo(api: .scriba, model: owner.model) }
            return RemoteServiceInfo(api: recognizer ? .openai : .vllmAligner, model: owner.model)
        }
        // No model list (Scriba's aligner-only port, an older service): Scriba's API, the one remote
        // engines always spoke, as long as the service answers at all.
        do {
            _ = try await RemoteHTTPClient.get(root.appendingPathComponent("health"), timeout: timeout)
        } catch let error as RemoteEngineError where error.isRetryable {
            throw error
        } catch {}
        return RemoteServiceInfo(api: .scriba, model: nil)
    }

    /// `(owned_by, id)` of the first model `GET /v1/models` lists.
    static func models(at root: URL, timeout: Double) async throws -> (owner: String?, model: String?) {
        let data = try await RemoteHTTPClient.get(root.appendingPathComponent("v1").appendingPathComponent("models"), timeout: timeout)
        struct List: Decodable {
            struct Model: Decodable {
                let id: String
                let ownedBy: String?
                enum CodingKeys: String, CodingKey { case id; case ownedBy = "owned_by" }
            }
            let data: [Model]
        }
        guard let list = try? JSONDecoder().decode(List.self, from: data) else {
            throw RemoteEngineError.invalidResponse(url: root.absoluteString + "/v1/models", reason: "not an OpenAI model list")
        }
        return (list.data.first?.ownedBy, list.data.first?.id)
    }
}
