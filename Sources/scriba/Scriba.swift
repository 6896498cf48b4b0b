import ArgumentParser

@main
struct Scriba: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scriba",
        abstract: "Offline speech to timestamped text.",
        version: ScribaVersion.string,
        subcommands: []
    )
}

enum ScribaVersion {
    static let string = "0.1.0"
}
