import Foundation

/// A snapshot of a pull's progress, reported after each received chunk (callers throttle drawing).
public struct PullProgress: Sendable, Equatable {
    public var file: String
    /// 1-based position of `file` in the listing.
    public var fileIndex: Int
    public var fileCount: Int
    /// Bytes of `file` on disk so far (a resumed file starts at its `.incomplete` size).
    public var fileBytes: Int64
    public var fileSize: Int64
    /// Bytes of the whole snapshot present so far, and its total.
    public var totalBytes: Int64
    public var totalSize: Int64
}

/// What a pull did.
public struct PullResult: Sendable, Equatable {
    /// `snapshots/<commit>` holding every file of the revision.
    public let snapshot: URL
    public let commit: String
    public let fileCount: Int
    /// Bytes received over the network in this pull (resumed and cached bytes excluded).
    public let downloadedBytes: Int64
    /// Files whose blob was already in the cache.
    public let reusedFiles: Int
}
