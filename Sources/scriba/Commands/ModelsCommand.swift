import ArgumentParser
import Foundation
import ScribaPipeline

/// `scriba models pull|list|rm`: the Hugging Face cache, shared with the Python tools.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Download, list and remove models in the Hugging Face cache (shared with the Python tools).",
        discussion: """
            Models live in $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub, as huggingface_hub \
            stores them. HF_ENDPOINT selects a mirror, HF_TOKEN gives access to gated repos, \
            HF_HUB_OFFLINE=1 forbids downloads.
            """,
        subcommands: [Pull.self, List.self, Remove.self]
    )

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull", abstract: "Download a model repo into the cache (resumes interrupted downloads).")

        @Argument(help: "Repo id, e.g. Qwen/Qwen3-ASR-1.7B (`scriba models list --known` shows Scriba's models).")
        var repoID: String

        @Option(help: "Branch, tag or commit.")
        var revision = "main"

        @Option(help: "hf (huggingface.co or HF_ENDPOINT) or modelscope (modelscope.cn, for mainland China).")
        var source = "hf"

        @Flag(help: "No progress bars.")
        var quiet = false

        func validate() throws {
            if ModelSource(rawValue: source) == nil {
                throw ValidationError("--source \(source) is not known; pass hf or modelscope.")
            }
            if KnownModels.sameFiles[repoID] == nil { _ = try HubRepoID(repoID) }
        }

        func run() async throws {
            let client = HubClient()
            let name = KnownModels.sameFiles[repoID].flatMap { $0.contains("/") ? $0 : nil } ?? repoID
            let repo = try HubRepoID(name)
            let bar: PullProgressBar? = quiet ? nil : PullProgressBar()
            var report: (@Sendable (PullProgress) -> Void)?
            if let bar { report = { bar.draw($0) } }
            let result = try await client.pull(
                repo, revision: revision, source: ModelSource(rawValue: source) ?? .huggingFace, progress: report)
            bar?.finish()
            printError("\(repo) \(revision) → commit \(result.commit): \(result.fileCount) files, "
                + "\(formatBytes(result.downloadedBytes)) downloaded, \(result.reusedFiles) already cached.")
            print(result.snapshot.path)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Show cached models: size, revision, and which engine runs them.")

        @Flag(help: "Also list the models Scriba knows by name, cached or not.")
        var known = false

        func run() throws {
            let environment = HubEnvironment()
            let cache = ModelCache(root: environment.hubCache)
            print("cache: \(environment.hubCache.path)")
            var rows: [[String]] = [["MODEL", "SIZE", "REVISIONS", "ENGINE"]]
            for model in cache.cachedModels() {
                let revisions = model.refs.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value.prefix(7))" }
                let detached = model.snapshots.filter { !model.refs.values.contains($0) }.map { String($0.prefix(7)) }
                let snapshot = model.refs["main"].map { model.folder.appendingPathComponent("snapshots/\($0)") }
                let engine = KnownModels.engine(for: model.repo.description)
                    ?? snapshot.flatMap { KnownModels.detectEngine(in: $0) }
                var size = formatBytes(model.sizeBytes)
                if model.incompleteBytes > 0 { size += " (+\(formatBytes(model.incompleteBytes)) partial)" }
                rows.append([model.repo.description, size, (revisions + detached).joined(separator: ","),
                             engine?.rawValue ?? "-"])
            }
            let local = (try? FileManager.default.contentsOfDirectory(atPath: environment.scribaModels.path)) ?? []
            for name in local.sorted() where !name.hasPrefix(".") {
                let folder = environment.scribaModels.appendingPathComponent(name)
                rows.append([name, formatBytes(folderSize(folder)), "local",
                             (KnownModels.detectEngine(in: folder) ?? KnownModels.engine(for: name))?.rawValue ?? "-"])
            }
            printTable(rows)
            if known {
                print("\nknown models:")
                printTable([["MODEL", "ENGINE", ""]] + KnownModels.all.map { [$0.name, $0.engine.rawValue, $0.summary] })
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Delete a model from the cache (all its revisions).")

        @Argument(help: "Repo id as shown by `scriba models list`, or a Scriba model name such as whisper-base.")
        var name: String

        func run() throws {
            let environment = HubEnvironment()
            if let repo = try? HubRepoID(name) {
                let freed = try ModelCache(root: environment.hubCache).remove(repo)
                print("removed \(repo) (\(formatBytes(freed)))")
                return
            }
            let folder = environment.scribaModels.appendingPathComponent(name)
            guard !name.contains("/"), !name.hasPrefix("."), FileManager.default.fileExists(atPath: folder.path) else {
                throw ModelHubError.nothingToRemove(name: name)
            }
            let freed = folderSize(folder)
            try FileManager.default.removeItem(at: folder)
            print("removed \(folder.path) (\(formatBytes(freed)))")
        }
    }
}

/// One line on stderr redrawn in place: current file and the whole pull, at most 10 times a second.
final class PullProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var lastFile = ""
    private var lastProgress: PullProgress?

    func draw(_ progress: PullProgress) {
        lock.withLock {
            let now = Date()
            let fileDone = progress.fileBytes == progress.fileSize
            guard progress != lastProgress, fileDone || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            lastProgress = progress
            if progress.file != lastFile && !lastFile.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
            lastFile = progress.file
            let line = "[\(progress.fileIndex)/\(progress.fileCount)] \(progress.file) "
                + bar(progress.fileBytes, progress.fileSize) + "  total " + bar(progress.totalBytes, progress.totalSize)
            FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        }
    }

    func finish() {
        lock.withLock { if !lastFile.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) } }
    }

    private func bar(_ done: Int64, _ total: Int64) -> String {
        let width = 20
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int(fraction * Double(width))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + String(format: "%3.0f%% ", fraction * 100) + "\(formatBytes(done))/\(formatBytes(total))"
    }
}

func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

private func folderSize(_ folder: URL) -> Int64 {
    guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return 0 }
    var total: Int64 = 0
    for case let path as String in enumerator {
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(path).path)
        if (attributes?[.type] as? FileAttributeType) == .typeRegular {
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}

private func printTable(_ rows: [[String]]) {
    guard let columns = rows.map(\.count).max() else { return }
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    for row in rows {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}
