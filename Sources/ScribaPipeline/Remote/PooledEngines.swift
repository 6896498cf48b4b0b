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

/// Many recognisers behind one `EndpointPool`: every chunk goes to whichever endpoint is free, and
/// to another when one fails. The pipeline sends `concurrentCalls` chunks at once.
public struct PooledRecognizer: SpeechRecognizer {
    public let engines: [any SpeechRecognizer]
    public let pool: EndpointPool

    public init(_ engines: [any SpeechRecognizer], pool: EndpointPool) {
        precondition(engines.count == pool.count && !engines.isEmpty, "one engine per pool endpoint")
        self.engines = engines
        self.pool = pool
    }

    public var modelName: String { engines.count == 1 ? engines[0].modelName : "remote, \(engines.count) endpoints" }
    public var maxChunkDuration: Double { engines.map(\.maxChunkDuration).min() ?? 30 }
    public var concurrentCalls: Int { pool.capacity }

    public func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        try await pool.run { [engines] index in try await engines[index].transcribe(audio, options: options) }
    }
}

/// Many aligners behind one `EndpointPool`.
public struct PooledAligner: ForcedAligner {
    public let engines: [any ForcedAligner]
    public let pool: EndpointPool

    public init(_ engines: [any ForcedAligner], pool: EndpointPool) {
        precondition(engines.count == pool.count && !engines.isEmpty, "one engine per pool endpoint")
        self.engines = engines
        self.pool = pool
    }

    public var modelName: String { engines.count == 1 ? engines[0].modelName : "remote, \(engines.count) endpoints" }
    public var maxChunkDuration: Double { engines.map(\.maxChunkDuration).min() ?? 30 }

    public func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        try await pool.run { [engines] index in try await engines[index].align(audio, text: text, language: language) }
    }
}
