import Foundation

/// The built `scriba` run as a user runs it: output through files, so a full pipe can never stall it.
public struct ScribaRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// Runs `TestLocations.scribaExecutable` with `arguments`; `environment` nil inherits this
    /// process's, otherwise only the variables given (plus PATH) reach it. `stdin`: a file read as
    /// its standard input; `interruptOnOutput`: send SIGINT once stdout holds this text.
    public static func run(_ arguments: [String], environment: [String: String]? = nil, stdin: URL? = nil,
                           interruptOnOutput: String? = nil) async throws -> ScribaRun {
        let binary = TestLocations.scribaExecutable
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw NoBinary(path: binary.path) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment {
            process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]) { a, _ in a }
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        if let interruptOnOutput {
            Task {
                // Until the process has started and ended (isRunning is false before `run()` too).
                while process.processIdentifier == 0 || process.isRunning {
                    try await Task.sleep(for: .milliseconds(50))
                    if let text = try? String(contentsOf: out, encoding: .utf8), text.contains(interruptOnOutput) {
                        process.interrupt()
                        return
                    }
                }
            }
        }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return ScribaRun(status: status, stdout: try String(contentsOf: out, encoding: .utf8),
                         stderr: try String(contentsOf: err, encoding: .utf8))
    }

    public struct NoBinary: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "no scriba binary at \(path): run `swift build --product scriba` first (or set SCRIBA_BINARY)."
        }
    }
}
