import Foundation

/// One remote service address and what it is for.
public struct RemoteEndpoint: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable { case asr, align }
    public var url: String
    public var role: Role
    /// nil: detect (`RemoteAPIDetector`).
    public var api: RemoteAPI?

    public init(url: String, role: Role, api: RemoteAPI? = nil) {
        self.url = url
        self.role = role
        self.api = api
    }

    /// `--endpoints FILE`: one endpoint per line, `[asr|align] URL [scriba|openai|vllm-aligner]`
    /// (role asr when left out); blank lines and `#` comments are skipped.
    public static func parseList(_ text: String, file: String) throws -> [RemoteEndpoint] {
        var endpoints: [RemoteEndpoint] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
            guard !words.isEmpty else { continue }
            var role = Role.asr
            if let named = Role(rawValue: words[0].lowercased()) {
                role = named
                words.removeFirst()
            }
            var api: RemoteAPI?
            if words.count == 2 {
                guard let named = RemoteAPI(rawValue: words[1].lowercased()) else {
                    throw RemoteEngineError.unsupportedService(url: "\(file):\(number + 1)", reason: "'\(words[1])' is not one of \(RemoteAPI.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                api = named
            }
            guard words.count == 1 || words.count == 2 else {
                throw RemoteEngineError.unsupportedService(url: "\(file):\(number + 1)", reason: "expected `[asr|align] URL [api]`, got '\(line)'.")
            }
            _ = try RemoteHTTPClient.base(words[0])
            endpoints.append(RemoteEndpoint(url: words[0], role: role, api: api))
        }
        return endpoints
    }
}

/// The remote engines of a batch: every ASR endpoint behind one pool, every aligner endpoint behind
/// another, each endpoint speaking its own API.
public struct RemoteEngineSet: Sendable {
    public let recognizer: PooledRecognizer
    public let aligner: PooledAligner?
    /// Whether the ASR services give word times themselves (Scriba's `/transcribe` does; OpenAI's
    /// and vLLM's transcription endpoints do not).
    public let recognizerTimesWords: Bool

    /// Both pools' endpoint counts, for `processing_report.json`.
    public func reports() async -> [EndpointReport] {
        var reports = await recognizer.pool.reports
        if let aligner { reports += await aligner.pool.reports }
        return reports
    }

    /// Detects each endpoint's API (unless given) and builds the engines. Each endpoint calls once
    /// per attempt: failing over is the pool's job; `retry.retries + 1` outages in a row give an
    /// endpoint up.
    public static func make(_ endpoints: [RemoteEndpoint], retry: RetryPolicy = .init(), timeout: Double = EngineChoice.defaultRemoteTimeout,
                            inflight: Int = EndpointPoolOptions.defaultInflight, backoff: Double = 1) async throws -> RemoteEngineSet {
        let asr = endpoints.filter { $0.role == .asr }, align = endpoints.filter { $0.role == .align }
        guard !asr.isEmpty else { throw RemoteEngineError.invalidURL("(none): pass --asr-url or an --endpoints file with an asr line") }
        let options = EndpointPoolOptions(inflight: inflight, backoff: backoff, outagesBeforeGivingUp: retry.retries + 1)
        let once = RetryPolicy(retries: 0)
        let asrInfo = try await detect(asr, recognizer: true)
        let recognizers: [any SpeechRecognizer] = try zip(asr, asrInfo).map { endpoint, info in
            switch info.api {
            case .scriba: try RemoteRecognizer(baseURL: endpoint.url, retry: once, timeout: timeout)
            case .openai: try OpenAIRecognizer(baseURL: endpoint.url, model: info.model, retry: once, timeout: timeout)
            case .vllmAligner: throw RemoteEngineError.unsupportedService(url: endpoint.url, reason: "is an aligner (vllm-aligner); pass it with --align-url.")
            }
        }
        let recognizer = PooledRecognizer(recognizers, pool: EndpointPool(
            zip(asr, asrInfo).map { EndpointReport(url: $0.url, api: $1.api.rawValue, role: "asr") }, options: options))
        var aligner: PooledAligner?
        if !align.isEmpty {
            let alignInfo = try await detect(align, recognizer: false)
            let aligners: [any ForcedAligner] = try zip(align, alignInfo).map { endpoint, info in
                switch info.api {
                case .scriba: try RemoteAligner(baseURL: endpoint.url, retry: once, timeout: timeout)
                case .vllmAligner: try VLLMPoolingAligner(baseURL: endpoint.url, model: info.model, retry: once, timeout: timeout)
                case .openai: throw RemoteEngineError.unsupportedService(url: endpoint.url, reason: "an OpenAI transcription service cannot align; pass it with --asr-url.")
                }
            }
            aligner = PooledAligner(aligners, pool: EndpointPool(
                zip(align, alignInfo).map { EndpointReport(url: $0.url, api: $1.api.rawValue, role: "align") }, options: options))
        }
        return RemoteEngineSet(recognizer: recognizer, aligner: aligner, recognizerTimesWords: asrInfo.allSatisfy { $0.api == .scriba })
    }

    /// Each endpoint's API. One that cannot be reached now takes the API the others of its role
    /// have (it may come up during the batch); when none can be reached, Scriba's (the batch then
    /// stops as "every endpoint down" once its requests fail, after the checks of the inputs and
    /// the output folder).
    static func detect(_ endpoints: [RemoteEndpoint], recognizer: Bool) async throws -> [RemoteServiceInfo] {
        struct Probe: Sendable {
            let index: Int
            let info: RemoteServiceInfo?
            let error: RemoteEngineError?
        }
        var probes: [Probe] = []
        try await withThrowingTaskGroup(of: Probe.self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do {
                        return Probe(index: index, info: try await RemoteAPIDetector.detect(endpoint.url, recognizer: recognizer, forced: endpoint.api), error: nil)
                    } catch let error as RemoteEngineError where error.isRetryable {
                        return Probe(index: index, info: nil, error: error)
                    }
                }
            }
            for try await probe in group { probes.append(probe) }
        }
        probes.sort { $0.index < $1.index }
        let reached = probes.compactMap(\.info)
        return zip(endpoints, probes).map { endpoint, probe in
            if let info = probe.info { return info }
            if let api = endpoint.api { return RemoteServiceInfo(api: api, model: reached.first { $0.api == api }?.model) }
            return reached.first ?? RemoteServiceInfo(api: .scriba, model: nil)
        }
    }
}
