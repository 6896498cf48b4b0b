import Foundation

/// Runs a helper executable (ffmpeg, ffprobe), streaming its stdout to a callback while stderr is
/// drained on another thread: a child that fills the stderr pipe buffer (64 KiB) while we block
/// on stdout would otherwise deadlock.
enum ProcessRunner {
    struct Result {
        var status: Int32
        var stderr: String
    }

    /// Collects stderr on a background thread; read only after the group has been waited on.
    private final class StderrBox: @unchecked Sendable {
        var data = Data()
    }

    static func run(_ executable: URL, arguments: [String], onStdout: (Data) throws -> Void) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdoutPipe = Pipe(), stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let box = StderrBox()
        let group = DispatchGroup()
        let stderrHandle = stderrPipe.fileHandleForReading
        DispatchQueue.global().async(group: group) {
            box.data = stderrHandle.readDataToEndOfFile()
        }
        let stdoutHandle = stdoutPipe.fileHandleForReading
        do {
            // 1 MiB reads (the call loops until full or EOF): 64 KiB pipe-sized chunks cost
            // measurably more per-call overhead on a long file.
            while let chunk = try stdoutHandle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try onStdout(chunk)
            }
        } catch {
            // The consumer gave up (e.g. corrupt samples): stop the child and reap it before rethrowing.
            process.terminate()
            process.waitUntilExit()
            group.wait()
            throw error
        }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stderr: String(decoding: box.data, as: UTF8.self))
    }

    /// `name` found in a PATH-style list of folders, if executable there.
    static func find(_ name: String, searchPath: String) -> URL? {
        for folder in searchPath.split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
