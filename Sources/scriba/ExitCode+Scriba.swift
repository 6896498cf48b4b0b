import ArgumentParser
import Foundation
import ScribaAudio
import ScribaModels
import ScribaPipeline

/// Exit codes, documented in README.md: 0 success, 1 some inputs failed, 2 usage error
/// (ArgumentParser's own, bad inputs/globs), 3 unreadable input audio, 4 model files missing or
/// broken, 5 engine or service failure, 6 outputs cannot be written, 7 partial output: every input
/// produced outputs but some chunk is truncated, looped or failed (see the warnings; `--allow-partial`
/// exits 0 instead), 130 interrupted (Ctrl-C).
enum ScribaExit {
    static let someInputsFailed: Int32 = 1
    static let usage: Int32 = 2
    static let badAudio: Int32 = 3
    static let badModel: Int32 = 4
    static let engineFailed: Int32 = 5
    static let cannotWrite: Int32 = 6
    static let partialOutput: Int32 = 7
    /// Stopped by Ctrl-C/SIGTERM after the files in progress (128 + SIGINT, as shells report it).
    static let interrupted: Int32 = 130
}

/// A failure already reported per input (e.g. one file of several could not be read); the command
/// printed the details, so only the exit code remains.
struct InputsFailed: Error {
    let failed: Int
    let total: Int
}

func exitWithScribaError(_ error: Error) -> Never {
    switch error {
    case let failure as InputsFailed:
        printError("\(failure.failed) of \(failure.total) inputs failed.")
        exit(ScribaExit.someInputsFailed)
    case let partial as PartialOutput:
        printError("\(partial.files) of \(partial.total) inputs have partial transcripts (see the warnings above); pass --allow-partial to accept them.")
        exit(ScribaExit.partialOutput)
    default:
        // ArgumentParser's own errors (help, version, validation) keep its messages and codes.
        guard let code = exitCode(for: error) else { Scriba.exit(withError: error) }
        printError("error: \(error)")
        exit(code)
    }
}

/// The documented code for Scriba's own error types; nil for everything else.
private func exitCode(for error: Error) -> Int32? {
    switch error {
    case is AudioError: ScribaExit.badAudio
    case is ModelLoadError, is ModelHubError: ScribaExit.badModel
    case is RemoteEngineError, is PipelineError: ScribaExit.engineFailed
    case BatchError.cannotWrite: ScribaExit.cannotWrite
    case BatchError.interrupted: ScribaExit.interrupted
    case BatchError.servicesDown: ScribaExit.engineFailed
    case is BatchError, is EngineChoiceError: ScribaExit.usage
    default: nil
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
