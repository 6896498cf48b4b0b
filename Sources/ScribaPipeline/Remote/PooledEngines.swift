import ScribaAudio

extension TranscriptionPipeline {
    /// The endpoint counts of its remote pools (recogniser's, then aligner's); nil when neither is one.
    public func endpointReports() async -> [EndpointReport]? {
        var reports: [EndpointReport] = []
        if let pooled = recognizer as? PooledRecognizer { reports += await pooled.pool.reports }
        if let pooled = aligner as? PooledAligner { reports += await pooled.pool.reports }
        return reports.isEmpty ? nil : reports
    }
}

/// Many engines behind one `EndpointPool`: every call goes to whichever endpoint is free, and to
/// another when one fails. As a recogniser, the pipeline sends it `concurrentCalls` chunks at once.
public struct Pooled<Engine: Sendable>: Sendable {
    public let engines: [Engine]
    public let pool: EndpointPool

    public init(_ engines: [Engine], pool: EndpointPool) {
        precondition(engines.count == pool.count && !engines.isEmpty, "one engine per pool endpoint")
        self.engines = engines
        self.pool = pool
    }

    func name(_ first: String) -> String { engines.count == 1 ? first : "remote, \(engines.count) endpoints" }
}

public typealias PooledRecognizer = Pooled<any SpeechRecognizer>
public typealias PooledAligner = Pooled<any ForcedAligner>

extension Pooled: SpeechRecognizer where Engine == any SpeechRecognizer {
    public var modelName: String { name(engines[0].modelName) }
    public var maxChunkDuration: Double { engines.map(\.maxChunkDuration).min() ?? 30 }
    public var concurrentCalls: Int { pool.capacity }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        try await pool.run { [engines] index in try await engines[index].transcribe(audio, options: options) }
    }
}

extension Pooled: ForcedAligner where Engine == any ForcedAligner {
    public var modelName: String { name(engines[0].modelName) }
    public var maxChunkDuration: Double { engines.map(\.maxChunkDuration).min() ?? 30 }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        try await pool.run { [engines] index in try await engines[index].align(audio, text: text, language: language) }
    }
}
