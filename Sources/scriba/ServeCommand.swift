import ArgumentParser
import Foundation
import ScribaServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP services: ASR API (:7861), aligner API (:7862) and web page (:7860).",
        discussion: """
            One process loads the models once and shares them. Pass a role to run only that server:
            `scriba serve asr`, `scriba serve align`, `scriba serve ui`. Stops gracefully on SIGINT/SIGTERM.
            """
    )

    @Argument(help: "Servers to run: asr, align, ui (default: all three).")
    var roles: [ServerRole] = []

    @Option(help: "Address to listen on; 0.0.0.0 exposes the services to the network.")
    var host = "127.0.0.1"

    @Option(help: "Port of the ASR API (POST /transcribe, POST /v1/audio/transcriptions).")
    var asrPort = 7861

    @Option(help: "Port of the aligner API (POST /align).")
    var alignPort = 7862

    @Option(help: "Port of the web page.")
    var uiPort = 7860

    @Option(help: "Largest accepted upload in MB (bigger bodies get 413).")
    var maxUploadMb = 50

    @Option(help: "Requests transcribed at once; more wait in a queue (default: 1).")
    var maxConcurrency = 1

    @Option(help: "Requests allowed to wait for a slot; past that the server answers 503 with Retry-After.")
    var maxQueue = 16

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        for (name, port) in [("--asr-port", asrPort), ("--align-port", alignPort), ("--ui-port", uiPort)]
        where !(1...65535).contains(port) {
            throw ValidationError("\(name) \(port) is not a TCP port; pass 1...65535.")
        }
        let ports = activeRoles.map { settings.configuration(for: $0).port }
        if Set(ports).count != ports.count {
            throw ValidationError("two servers share port \(ports); give --asr-port, --align-port and --ui-port different values.")
        }
        if maxUploadMb < 1 || maxUploadMb > 4096 {
            throw ValidationError("--max-upload-mb \(maxUploadMb) is outside 1...4096.")
        }
        if maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1.") }
        if maxQueue < 0 { throw ValidationError("--max-queue must be 0 or more.") }
    }

    var activeRoles: [ServerRole] {
        var seen = Set<ServerRole>()
        return (roles.isEmpty ? ServerRole.allCases : roles).filter { seen.insert($0).inserted }
    }

    var settings: ServeSettings {
        ServeSettings(host: host, asrPort: asrPort, alignPort: alignPort, uiPort: uiPort,
                      maxUploadBytes: maxUploadMb * 1024 * 1024)
    }

    func run() async throws {
        let engines = EngineHost(limiter: ConcurrencyLimiter(maxConcurrent: maxConcurrency, maxQueued: maxQueue))
        let options = try await engine.resolvingModels()
        try await runScribaServers(roles: activeRoles, settings: settings, engines: engines) {
            try options.makeEngines()
        }
    }
}

extension ServerRole: ExpressibleByArgument {}
