import Foundation

/// One of N machines' share of a batch (`--shard K/N`): the inputs whose path hashes to K, so N
/// runs over shared storage split one batch with no coordinator. Kubernetes Indexed Jobs set
/// `JOB_COMPLETION_INDEX` (0-based) in each pod; `--shard N` reads K from it. Each shard keeps its
/// own manifest and report (`BatchReport.merged` joins the reports).
public struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    public let index: Int
    public let count: Int

    public static let environmentVariable = "JOB_COMPLETION_INDEX"

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else { throw BatchError.badShard("\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// "K/N", or "N" with K = JOB_COMPLETION_INDEX + 1 from `environment`.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BatchShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) { return try BatchShard(index: index, count: count) }
        if parts.count == 1, let count = Int(parts[0]) {
            guard let value = environment[environmentVariable], let zeroBased = Int(value) else {
                throw BatchError.badShard("\(text) (\(environmentVariable) is not set; pass --shard K/N)")
            }
            return try BatchShard(index: zeroBased + 1, count: count)
        }
        throw BatchError.badShard(text)
    }

    public var description: String { "\(index)/\(count)" }

    /// "shard-2-of-3", for the manifest's and report's file names.
    public var label: String { "shard-\(index)-of-\(count)" }

    /// Whether `input` is this shard's: FNV-1a 64 of its absolute standardized path, mod N. Stable
    /// across machines, runs and input orders as long as every machine sees the files at one path.
    public func contains(_ input: URL) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in input.standardizedFileURL.path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(hash % UInt64(count)) == index - 1
    }

    public func select(_ inputs: [URL]) -> [URL] { inputs.filter(contains) }

    /// `name` ("processing_report.json") with the shard's label before the extension.
    public func fileName(_ name: String) -> String {
        let url = URL(fileURLWithPath: name)
        return url.deletingPathExtension().lastPathComponent + "." + label + "." + url.pathExtension
    }
}
