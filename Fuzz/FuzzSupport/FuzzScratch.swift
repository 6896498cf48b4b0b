// Shared by the libFuzzer targets: the loaders under test read files, so each input is written
// to a per-process folder on tmpfs (/dev/shm when present) and overwritten on the next run.

import Foundation

public enum FuzzScratch {
    /// Per-process folder, created once.
    public static let folder: URL = {
        let root = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: root).appendingPathComponent("scriba-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The repository root, found from this file's path (Fuzz/FuzzSupport/FuzzScratch.swift).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A sub-folder of the scratch folder, emptied of the given names.
    public static func subfolder(_ name: String, removing stale: [String] = []) -> URL {
        let url = folder.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for file in stale { try? FileManager.default.removeItem(at: url.appendingPathComponent(file)) }
        return url
    }

    /// Writes `bytes` to `name` inside `folder`, replacing what was there.
    @discardableResult
    public static func write(_ bytes: some Collection<UInt8>, to name: String, in folder: URL = folder) -> URL {
        let url = folder.appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url
    }

    /// The input split at every occurrence of `separator` (at most `limit` pieces; the last takes the rest).
    public static func split(_ bytes: [UInt8], separator: [UInt8], limit: Int) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0, index = 0
        while index + separator.count <= bytes.count, pieces.count < limit - 1 {
            if bytes[index..<index + separator.count].elementsEqual(separator) {
                pieces.append(bytes[start..<index])
                index += separator.count
                start = index
            } else {
                index += 1
            }
        }
        pieces.append(bytes[start...])
        return pieces
    }
}
