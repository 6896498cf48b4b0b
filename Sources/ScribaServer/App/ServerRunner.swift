import Foundation
import Hummingbird
import Logging
import ScribaPipeline

/// Which servers `scriba serve` runs.
public enum ServerRole: String, CaseIterable, Sendable {
    case asr, align, ui
}

/// Ports and limits for `runScribaServers`.
public struct ServeSettings: Sendable, Equatable {
    public var host: String
    public var asrPort: Int
    public var alignPort: Int
    public var uiPort: Int
    public var maxUploadBytes: Int
    public var apiKey: String?
    public var corsOrigin: String?
    public var idleTimeoutSeconds: Int
    public var realtime: RealtimeLimits

    public init(host: String = "127.0.0.1", asrPort: Int = 7861, alignPort: Int = 7862, uiPort: Int = 7860,
                maxUploadBytes: Int = 50 * 1024 * 1024, apiKey: String? = nil, corsOrigin: String? = nil,
                idleTimeoutSeconds: Int = 30, realtime: RealtimeLimits = .init()) {
        self.host = host
        self.asrPort = asrPort
        self.alignPort = alignPort
        self.uiPort = uiPort
        self.maxUploadBytes = maxUploadBytes
        self.apiKey = apiKey
        self.corsOrigin = corsOrigin
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.realtime = realtime
    }

    public func configuration(for role: ServerRole) -> ServerConfiguration {
        let port = switch role {
        case .asr: asrPort
        case .align: alignPort
        case .ui: uiPort
        }
        return ServerConfiguration(host: host, port: port, maxUploadBytes: maxUploadBytes, apiKey: apiKey,
                                   corsOrigin: corsOrigin, idleTimeoutSeconds: idleTimeoutSeconds, realtime: realtime)
    }
}

/// Runs the servers for `roles` until SIGINT or SIGTERM, then shuts down gracefully: listeners
/// close, in-flight requests finish. The servers listen at once (`/health` answers) while
/// `loadEngines` runs on its own thread — model loading blocks for seconds and must not hold a
/// cooperative-pool thread; `/ready` turns 200 when it returns. A load failure stops the servers
/// and is rethrown, so the command exits with the model error's code.
public func runScribaServers(
    roles: [ServerRole], settings: ServeSettings, engines: EngineHost,
    logger: Logger = Logger(label: "scriba.serve"),
    loadEngines: @escaping @Sendable () throws -> (any SpeechRecognizer, (any ForcedAligner)?)
) async throws {
    var applications = roles.map { role in
        let configuration = settings.configuration(for: role)
        return switch role {
        case .asr: buildASRApplication(configuration: configuration, engines: engines, logger: logger)
        case .align: buildAlignApplication(configuration: configuration, engines: engines, logger: logger)
        case .ui: buildUIApplication(configuration: configuration, engines: engines, logger: logger)
        }
    }
    guard !applications.isEmpty else { return }
    // One service group: the first application runs the others as services, so one signal
    // handler drains all of them together.
    var primary = applications.removeFirst()
    for other in applications { primary.addServices(other) }
    for role in roles {
        logger.info("starting", metadata: ["role": .string(role.rawValue),
                                            "url": .string("http://\(settings.host):\(settings.configuration(for: role).port)")])
    }

    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { [primary] in try await primary.runService() }
        group.addTask {
            do {
                let (recognizer, aligner) = try await onOwnThread(loadEngines)
                await engines.install(recognizer: recognizer, aligner: aligner)
                let names = await engines.modelNames.joined(separator: ", ")
                logger.info("models ready", metadata: ["models": .string(names)])
            } catch {
                await engines.markFailed("\(error)")
                throw error
            }
        }
        // The first failure (a port in use, a model that will not load) ends everything.
        while try await group.next() != nil {}
    }
}

/// Runs blocking work on a fresh thread and resumes with its result.
private func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
