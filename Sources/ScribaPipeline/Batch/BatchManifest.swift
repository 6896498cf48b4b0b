import Foundation

/// What a batch already produced, kept in the output folder (`.scriba-manifest.json`) so `--resume`
/// can skip a file whose outputs are all present and were made from the same bytes with the same
/// settings.
public struct BatchManifest: Codable, Sendable, Equatable {
    public struct Output: Codable, Sendable, Equatable {
        public var name: String
        public var bytes: Int
    }

    public struct Entry: Codable, Sendable, Equatable {
        /// `FileHash.fnv1a64` of the input's bytes, hex.
        public var inputHash: String
        /// The batch's settings string when the outputs were made (formats, engine, model, language...).
        public var settings: String
        public var audioSeconds: Double
        public var outputs: [Output]
    }

    public static let fileName = ".scriba-manifest.json"

    public var version = 1
    /// Keyed by the input's absolute path.
    public var entries: [String: Entry] = [:]
    /// Runs that failed on an input since it last succeeded, keyed like `entries` (a file's
    /// `attempts` in its `_result.json` is this + 1); nil in manifests written before it was kept.
    public var failedAttempts: [String: Int]?

    public init() {}

    /// The manifest in `folder` (`name`: a shard's own); an absent or unreadable one is empty
    /// (everything is redone).
    public static func load(from folder: URL, name: String = fileName) -> BatchManifest {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)),
              let manifest = try? JSONDecoder().decode(BatchManifest.self, from: data), manifest.version == 1 else {
            return BatchManifest()
        }
        return manifest
    }

    public func save(to folder: URL, name: String = fileName) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: folder.appendingPathComponent(name))
    }

}

extension BatchManifest.Entry {
    /// Whether the outputs in `folder` are complete (each present with the size written) and were
    /// made from bytes hashing to `hash` with `settings`.
    public func isComplete(hash: String, settings: String, in folder: URL) -> Bool {
        guard inputHash == hash, self.settings == settings, !outputs.isEmpty else { return false }
        return outputs.allSatisfy { output in
            let path = folder.appendingPathComponent(output.name).path
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue == output.bytes
        }
    }
}

/// Content hash for resume checks: 64-bit FNV-1a over the file's bytes (not cryptographic; it only
/// has to notice that an input changed).
public enum FileHash {
    public static func fnv1a64(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            block.withUnsafeBytes { bytes in
                for byte in bytes {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
            }
        }
        return String(hash, radix: 16)
    }
}
