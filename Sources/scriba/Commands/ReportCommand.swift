import ArgumentParser
import Foundation
import ScribaPipeline

/// `scriba report merge DIR`: the shards' reports of one batch joined into one.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work with processing_report.json files.",
        subcommands: [Merge.self]
    )

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the shards' processing_report.shard-K-of-N.json in a folder into processing_report.json (and their manifests into .scriba-manifest.json)."
        )

        @Argument(help: "The output folder the shards wrote to (-o of `scriba subtitles --shard K/N`).")
        var folder: String

        func run() async throws {
            let report = try BatchReport.mergeShards(in: URL(fileURLWithPath: folder))
            print("\(report.files) files (\(report.succeeded) processed, \(report.skipped) skipped, \(report.failed) failed) → \(folder)/\(BatchReport.fileName)")
        }
    }
}
