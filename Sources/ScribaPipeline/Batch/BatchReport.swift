import Foundation

/// One input's outcome in a batch.
public struct FileReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Processed now.
        case ok
        /// Outputs already complete for these bytes and settings (`--resume`).
        case skipped
        case failed
    }

    public var input: String
    public var status: Status
    /// Length of the input's audio; nil when it could not be decoded.
    public var audioSeconds: Double?
    /// Time spent on this file (decode + engines + writing), seconds.
    public var processingSeconds: Double
    /// processingSeconds / audioSeconds: below 1 is faster than real time. nil when skipped or undecodable.
    public var realTimeFactor: Double?
    /// Output file names (in the output folder).
    public var outputs: [String]
    /// What went wrong, for failed files.
    public var error: String?
    /// Chunks per status ("ok", "empty", "truncated", "repetition", "failed"); nil when not tracked.
    public var chunkStatuses: [String: Int]?
    /// The chunks whose text may be missing speech (time range, status, note); nil when none.
    public var partialChunks: [ChunkCoverage]?

    /// Processed, but some chunk is truncated, looped or failed.
    public var isPartial: Bool { !(partialChunks ?? []).isEmpty }

    public init(input: String, status: Status, audioSeconds: Double?, processingSeconds: Double,
                outputs: [String], error: String? = nil, chunks: [ChunkCoverage]? = nil) {
        self.input = input
        self.status = status
        self.audioSeconds = audioSeconds
        self.processingSeconds = processingSeconds
        self.realTimeFactor = status == .ok ? audioSeconds.flatMap { $0 > 0 ? processingSeconds / $0 : nil } : nil
        self.outputs = outputs
        self.error = error
        if let chunks {
            var counts: [String: Int] = [:]
            for chunk in chunks { counts[chunk.status.rawValue, default: 0] += 1 }
            chunkStatuses = counts
            let partial = chunks.filter { $0.status.isPartial }
            partialChunks = partial.isEmpty ? nil : partial
        }
    }
}

/// `processing_report.json`: totals and one entry per input, in input order; `summary` and `details`
/// repeat them in the original Python pipeline's shape, so its readers work unchanged.
public struct BatchReport: Codable, Sendable, Equatable {
    /// `summary: {total_files, successful, failed, success_rate}` as the original writes it.
    public struct Summary: Codable, Sendable, Equatable {
        public var totalFiles: Int
        /// Processed in this run with outputs written (skipped files are not counted).
        public var successful: Int
        public var failed: Int
        /// successful / (total_files − skipped): the files this run attempted that succeeded.
        public var successRate: Double
    }

    /// One `details` entry: `{file, success, output}` or `{file, success: false, error}`.
    public struct Detail: Codable, Sendable, Equatable {
        public var file: String
        /// Outputs complete after the run (processed now, or skipped because they already were).
        public var success: Bool
        /// The output file names, when it succeeded.
        public var output: [String]?
        public var error: String?
        /// Present (true) when the outputs were already complete (`--resume`).
        public var skipped: Bool?
    }

    public static let fileName = "processing_report.json"

    public var files: Int
    public var succeeded: Int
    public var skipped: Int
    public var failed: Int
    /// Files processed whose transcript has truncated, looping or failed chunks (counted in `succeeded`).
    public var partial: Int?
    /// Chunks per status over all processed files.
    public var chunkStatuses: [String: Int]?
    /// succeeded / (files − skipped): the share of the files this run attempted that succeeded (1
    /// when it attempted none). Skipped files are finished work, not successes of this run.
    public var successRate: Double
    /// Audio processed in this run (skipped files excluded), seconds.
    public var audioSeconds: Double
    /// Start to end of the run, seconds.
    public var wallSeconds: Double
    /// wallSeconds / audioSeconds for this run (with --jobs N several files share the wall time).
    public var realTimeFactor: Double?
    public var settings: String
    public var fileReports: [FileReport]
    /// The original pipeline's totals (nil only in reports written before they were added).
    public var summary: Summary?
    /// The original pipeline's per-file list, in input order.
    public var details: [Detail]?
    /// Per remote endpoint: chunks answered, failures, outages, mean latency; nil for local engines.
    public var endpoints: [EndpointReport]?

    public init(fileReports: [FileReport], wallSeconds: Double, settings: String, endpoints: [EndpointReport]? = nil) {
        files = fileReports.count
        succeeded = fileReports.count { $0.status == .ok }
        skipped = fileReports.count { $0.status == .skipped }
        failed = fileReports.count { $0.status == .failed }
        partial = fileReports.count { $0.isPartial }
        var counts: [String: Int] = [:]
        for report in fileReports { for (status, count) in report.chunkStatuses ?? [:] { counts[status, default: 0] += count } }
        chunkStatuses = counts
        successRate = files == skipped ? 1 : Double(succeeded) / Double(files - skipped)
        audioSeconds = fileReports.filter { $0.status == .ok }.reduce(0) { $0 + ($1.audioSeconds ?? 0) }
        self.wallSeconds = wallSeconds
        realTimeFactor = audioSeconds > 0 ? wallSeconds / audioSeconds : nil
        self.settings = settings
        self.fileReports = fileReports
        self.endpoints = endpoints
        summary = Summary(totalFiles: files, successful: succeeded, failed: failed, successRate: successRate)
        details = fileReports.map { report in
            let success = report.status != .failed
            return Detail(file: report.input, success: success, output: success ? report.outputs : nil,
                          error: success ? nil : report.error ?? "failed", skipped: report.status == .skipped ? true : nil)
        }
    }

    enum CodingKeys: String, CodingKey {
        case files, succeeded, skipped, failed, partial, chunkStatuses, successRate, audioSeconds, wallSeconds, realTimeFactor, settings
        case summary, details, endpoints
        case fileReports = "results"
    }

    /// Snake-case JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decoded(_ data: Data) throws -> BatchReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BatchReport.self, from: data)
    }
}
