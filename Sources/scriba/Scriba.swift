import ArgumentParser
import Foundation
import ScribaTensor

@main
struct Scriba: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scriba",
        abstract: "Offline speech to timestamped text.",
        version: ScribaVersion.string,
        subcommands: [
            SubtitlesCommand.self, TranscribeCommand.self, AlignCommand.self, MinutesCommand.self,
            ServeCommand.self, InfoCommand.self, ModelsCommand.self, VADCommand.self,
            DiarizeCommand.self,
            LiveCommand.self,
            ReportCommand.self,
        ]
    )

    /// Runs the command and turns every error into a message and an exit code in one place
    /// (see ExitCode+Scriba.swift).
    static func main() async {
        BLASRuntime.prepare()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitWithScribaError(error)
        }
    }
}

enum ScribaVersion {
    static let string = "0.1.0"
}
