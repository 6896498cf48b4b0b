import ArgumentParser
import Foundation
import ScribaPipeline
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

    @Option(help: ArgumentHelp("Require 'Authorization: Bearer KEY' on every endpoint but /health, /ready and the page (default: $SCRIBA_API_KEY, else none).",
                               valueName: "key"))
    var apiKey: String?

    @Option(help: ArgumentHelp("Let browser pages on this origin (e.g. https://app.example.com, or *) call the APIs; CORS is off without it.",
                               valueName: "origin"))
    var corsOrigin: String?

    @Option(help: "Close a connection that has not sent a complete request head within this many seconds (slow clients, idle keep-alive).")
    var idleTimeout = 30

    @Option(help: "Live-caption streams (/v1/realtime) open at once; one more is closed with code 1013.")
    var maxStreams = RealtimeLimits.defaultMaxStreams

    @Option(help: "Close a live stream whose client sent and received nothing for this many seconds (code 1008).")
    var streamIdleSeconds = RealtimeLimits.defaultIdleTimeoutSeconds

    @Option(help: "Largest live-stream message in KB (base64 audio per append); larger ones are closed with code 1009.")
    var maxMessageKb = RealtimeLimits.defaultMaxMessageBytes / 1024

    @OptionGroup var engine: EngineOptions

    @OptionGroup var voice: VoiceDetectorFlags

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
        if idleTimeout < 1 || idleTimeout > 3600 { throw ValidationError("--idle-timeout \(idleTimeout) is outside 1...3600 seconds.") }
        if maxStreams < 1 || maxStreams > 256 { throw ValidationError("--max-streams \(maxStreams) is outside 1...256.") }
        if !(streamIdleSeconds >= 1 && streamIdleSeconds <= 3600) { throw ValidationError("--stream-idle-seconds \(streamIdleSeconds) is outside 1...3600.") }
        if maxMessageKb < 4 || maxMessageKb > 65_536 { throw ValidationError("--max-message-kb \(maxMessageKb) is outside 4...65536.") }
        if let key = resolvedAPIKey, key.count < 8 || key.contains(where: \.isWhitespace) {
            throw ValidationError("the API key must be at least 8 characters without spaces (it is sent as 'Authorization: Bearer KEY').")
        }
        if let corsOrigin, corsOrigin != "*", !(corsOrigin.hasPrefix("http://") || corsOrigin.hasPrefix("https://")) {
            throw ValidationError("--cors-origin \(corsOrigin) is not an origin; pass e.g. https://app.example.com, or * for any origin.")
        }
    }

    var activeRoles: [ServerRole] {
        var seen = Set<ServerRole>()
        return (roles.isEmpty ? ServerRole.allCases : roles).filter { seen.insert($0).inserted }
    }

    /// --api-key, else $SCRIBA_API_KEY; blank means none.
    var resolvedAPIKey: String? {
        let key = apiKey ?? ProcessInfo.processInfo.environment["SCRIBA_API_KEY"]
        return key.flatMap { $0.isEmpty ? nil : $0 }
    }

    var settings: ServeSettings {
        ServeSettings(host: host, asrPort: asrPort, alignPort: alignPort, uiPort: uiPort,
                      maxUploadBytes: maxUploadMb * 1024 * 1024, apiKey: resolvedAPIKey,
                      corsOrigin: corsOrigin, idleTimeoutSeconds: idleTimeout,
                      realtime: RealtimeLimits(maxStreams: maxStreams, idleTimeoutSeconds: streamIdleSeconds, maxMessageBytes: maxMessageKb * 1024))
    }

    func run() async throws {
        let engines = EngineHost(limiter: ConcurrencyLimiter(maxConcurrent: maxConcurrency, maxQueued: maxQueue),
                                 voiceDetector: voice.vad, sileroOptions: voice.silero.segmentOptions)
        if resolvedAPIKey == nil && !["127.0.0.1", "localhost", "::1"].contains(host) {
            printError("warning: serving on \(host) without an API key: anyone who can reach this address can use the models. Set --api-key or SCRIBA_API_KEY.")
        }
        let options = try await engine.resolvingModels()
        try await runScribaServers(roles: activeRoles, settings: settings, engines: engines) {
            try options.makeEngines()
        }
    }
}

extension ServerRole: ExpressibleByArgument {}
