import Foundation

/// Where tests find what they need: the fixtures, the built `scriba` executable and the Whisper base
/// weights, each overridable by one environment variable.
public enum TestLocations {
    /// The package root (the folder with Package.swift), found from this file.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// `Tests/Fixtures`.
    public static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// `$SCRIBA_BINARY`, else `scriba` in the build products folder that holds the running test
    /// runner (so `swift test --scratch-path DIR` and `-c release` test their own build).
    public static var scribaExecutable: URL {
        if let path = ProcessInfo.processInfo.environment["SCRIBA_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return buildProducts.appendingPathComponent("scriba")
    }

    /// The folder of the test runner: on Linux the `.xctest` executable sits in the products folder;
    /// on macOS the runner is inside `<products>/<Name>.xctest/Contents/MacOS`.
    public static var buildProducts: URL {
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// `$SCRIBA_WHISPER_BASE`, else `${SCRIBA_MODELS_DIR:-~/.cache/scriba/models}/whisper-base`
    /// (where scripts/fetch-whisper-base puts it).
    public static var whisperBase: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SCRIBA_WHISPER_BASE"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        return modelsFolder.appendingPathComponent("whisper-base")
    }

    /// `${SCRIBA_MODELS_DIR:-~/.cache/scriba/models}`, where the fetch scripts install weights.
    public static var modelsFolder: URL {
        ProcessInfo.processInfo.environment["SCRIBA_MODELS_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/scriba/models")
    }

    /// Whether the Whisper base weights are there (model.bin).
    public static var hasWhisperBase: Bool {
        FileManager.default.fileExists(atPath: whisperBase.appendingPathComponent("model.bin").path)
    }

    /// The skip reason tests give when the weights are absent.
    public static let whisperBaseMissing =
        "Whisper base weights not found at $SCRIBA_WHISPER_BASE or ~/.cache/scriba/models/whisper-base; run scripts/fetch-whisper-base"

    /// `${SCRIBA_MODELS_DIR:-~/.cache/scriba/models}`/`name`: where scripts/fetch-diarization-models puts
    /// the diarization models (`pyannote-segmentation-3.0`, `campplus-cn-en-common`).
    public static func diarizationModel(_ name: String) -> URL { modelsFolder.appendingPathComponent(name) }

    /// Whether both diarization models are installed.
    public static var hasDiarizationModels: Bool {
        ["pyannote-segmentation-3.0", "campplus-cn-en-common"].allSatisfy {
            FileManager.default.fileExists(atPath: diarizationModel($0).appendingPathComponent("model.safetensors").path)
        }
    }

    /// The skip reason tests give when the diarization weights are absent.
    public static let diarizationModelsMissing =
        "diarization weights not found under $SCRIBA_MODELS_DIR or ~/.cache/scriba/models; run scripts/fetch-diarization-models"
}
