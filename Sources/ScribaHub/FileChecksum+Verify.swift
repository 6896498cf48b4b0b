import Crypto
import Foundation

extension FileChecksum {
    var algorithmName: String {
        switch self {
        case .sha256: return "sha256"
        case .gitBlobSHA1: return "git blob sha1"
        }
    }

    var expectedHex: String {
        switch self {
        case .sha256(let hex), .gitBlobSHA1(let hex): return hex.lowercased()
        }
    }

    /// Hashes the file in 4 MiB reads (model files reach several GB) and returns lowercase hex.
    func hash(of url: URL, size: Int64) throws -> String {
        let handle = try fileOperation(url.path) { try FileHandle(forReadingFrom: url) }
        defer { try? handle.close() }
        func readAll(_ update: (Data) -> Void) throws {
            while true {
                let chunk = try fileOperation(url.path) { try handle.read(upToCount: 4 << 20) } ?? Data()
                if chunk.isEmpty { break }
                update(chunk)
            }
        }
        switch self {
        case .sha256:
            var hasher = SHA256()
            try readAll { hasher.update(data: $0) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        case .gitBlobSHA1:
            // git's object id: sha1 over a "blob <size>\0" header then the bytes.
            var hasher = Insecure.SHA1()
            hasher.update(data: Data("blob \(size)\0".utf8))
            try readAll { hasher.update(data: $0) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }
}

extension FileChecksum {
    /// sha256 of bytes in memory, lowercase hex.
    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// git's blob id of bytes in memory (what the hub uses as etag of non-LFS files).
    static func gitBlobSHA1Hex(_ data: Data) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: Data("blob \(data.count)\0".utf8))
        hasher.update(data: data)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
