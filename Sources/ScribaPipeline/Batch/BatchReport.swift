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

/// `processing_report.json`: totals and one entry per input, in input order.
public struct BatchReport: Codable, Sendable, Equatable {
    public static let fileName = "processing_report.json"

    public var files: Int
    public var succeeded: Int
    public var skipped: Int
    public var failed: Int
    /// Files processed whose transcript has truncated, looping or failed chunks (counted in `succeeded`).
    public var partial: Int?
    /// Chunks per status over all processed files.
    public var chunkStatuses: [String: Int]?
    /// (succeeded + skipped) / files: the share of inputs whose outputs are complete after the run.
    public var successRate: Double
    /// Audio processed in this run (skipped files excluded), seconds.
    public var audioSeconds: Double
    /// Start to end of the run, seconds.
    public var wallSeconds: Double
    /// wallSeconds / audioSeconds for this run (with --jobs N several files share the wall time).
    public var realTimeFactor: Double?
    public var settings: String
    public var fileReports: [FileReport]

    public init(fileReports: [FileReport], wallSeconds: Double, settings: String) {
        files = fileReports.count
        succeeded = fileReports.count { $0.status == .ok }
        skipped = fileReports.count { $0.status == .skipped }
        failed = fileReports.count { $0.status == .failed }
        partial = fileReports.count { $0.isPartial }
        var counts: [String: Int] = [:]
        for report in fileReports { for (status, count) in report.chunkStatuses ?? [:] { counts[status, default: 0] += count } }
        chunkStatuses = counts
        successRate = files == 0 ? 1 : Double(succeeded + skipped) / Double(files)
        audioSeconds = fileReports.filter { $0.status == .ok }.reduce(0) { $0 + ($1.audioSeconds ?? 0) }
        self.wallSeconds = wallSeconds
        realTimeFactor = audioSeconds > 0 ? wallSeconds / audioSeconds : nil
        self.settings = settings
        self.fileReports = fileReports
    }

    enum CodingKeys: String, CodingKey {
        case files, succeeded, skipped, failed, partial, chunkStatuses, successRate, audioSeconds, wallSeconds, realTimeFactor, settings
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
