import Foundation

extension BatchReport {
    /// One report for the shards of a batch (`scriba report merge`): every file once, in path
    /// order; totals recounted; the wall time is the longest shard's (they ran side by side);
    /// endpoint counts summed per URL and role (latency weighted by chunks). The shards must share
    /// their settings, and no input may appear twice.
    public static func merged(_ reports: [BatchReport]) throws -> BatchReport {
        guard let first = reports.first else { throw BatchError.cannotMerge("no shard reports found") }
        if let other = reports.first(where: { $0.settings != first.settings }) {
            throw BatchError.cannotMerge("the shards ran with different settings ('\(first.settings)' and '\(other.settings)'); rerun them with the same flags")
        }
        let files = reports.flatMap(\.fileReports).sorted { $0.input < $1.input }
        if let twice = zip(files, files.dropFirst()).first(where: { $0.0.input == $0.1.input }) {
            throw BatchError.cannotMerge("\(twice.0.input) is in two shard reports; were the shards run with different N?")
        }
        var endpoints: [EndpointReport] = []
        for endpoint in reports.flatMap({ $0.endpoints ?? [] }) {
            guard let index = endpoints.firstIndex(where: { $0.url == endpoint.url && $0.role == endpoint.role }) else {
                endpoints.append(endpoint)
                continue
            }
            var total = endpoints[index]
            let latency = (total.meanLatencySeconds ?? 0) * Double(total.chunks) + (endpoint.meanLatencySeconds ?? 0) * Double(endpoint.chunks)
            total.chunks += endpoint.chunks
            total.failures += endpoint.failures
            total.rejected += endpoint.rejected
            total.outages += endpoint.outages
            total.givenUp = total.givenUp || endpoint.givenUp
            total.meanLatencySeconds = total.chunks > 0 ? latency / Double(total.chunks) : nil
            endpoints[index] = total
        }
        let wall = reports.map(\.wallSeconds).max() ?? 0
        return BatchReport(fileReports: files, wallSeconds: wall, settings: first.settings,
                           endpoints: endpoints.isEmpty ? nil : endpoints)
    }

    /// Reads every `processing_report.shard-*.json` in `folder`, merges them, writes
    /// `processing_report.json` there (and the shards' manifests joined into `.scriba-manifest.json`,
    /// so an unsharded rerun resumes too). Returns the merged report.
    @discardableResult
    public static func mergeShards(in folder: URL) throws -> BatchReport {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let reportPrefix = URL(fileURLWithPath: fileName).deletingPathExtension().lastPathComponent + ".shard-"
        let reports = try names.filter { $0.hasPrefix(reportPrefix) && $0.hasSuffix(".json") }.map { name in
            do {
                return try decoded(Data(contentsOf: folder.appendingPathComponent(name)))
            } catch {
                throw BatchError.cannotMerge("\(name) is not a Scriba report (\(ReadableError.sentence(error)))")
            }
        }
        guard !reports.isEmpty else { throw BatchError.cannotMerge("no \(reportPrefix)*.json in \(folder.path); run the shards with --shard K/N -o \(folder.path) first") }
        let report = try merged(reports)
        var manifest = BatchManifest()
        let manifestPrefix = URL(fileURLWithPath: BatchManifest.fileName).deletingPathExtension().lastPathComponent + ".shard-"
        for name in names where name.hasPrefix(manifestPrefix) {
            let shard = BatchManifest.load(from: folder, name: name)
            manifest.entries.merge(shard.entries) { current, _ in current }
        }
        try manifest.save(to: folder)
        try AtomicFile.write(try report.encoded(), to: folder.appendingPathComponent(fileName))
        return report
    }
}
