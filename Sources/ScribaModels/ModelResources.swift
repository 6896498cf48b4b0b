import Foundation

// Data files that ship with ScribaModels (its SwiftPM resources, e.g. the Korean word list): SwiftPM
// copies them into a bundle folder beside the built executable or test runner. They are looked up by
// hand instead of through `Bundle.module`, which traps when that folder is missing (a binary copied
// somewhere alone); here a missing file is an error that names the folders searched and the fix.

public enum ModelResources {
    /// The folder SwiftPM writes the resources to: `<package>_<target>.resources` (`.bundle` on macOS).
    public static let bundleNames = ["Scriba_ScribaModels.resources", "Scriba_ScribaModels.bundle",
                                     "Scriba_ScribaModels.bundle/Contents/Resources"]
    /// A folder holding the files (or one of `bundleNames`), searched first.
    public static let environmentVariable = "SCRIBA_RESOURCES"

    /// The folders searched, in order: $SCRIBA_RESOURCES, then the bundle folders beside the main
    /// executable (its real path, through symlinks) and the main bundle.
    public static func searchFolders(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var bases: [URL] = []
        if let custom = environment[environmentVariable], !custom.isEmpty {
            let folder = URL(fileURLWithPath: custom)
            bases.append(folder)
            bases += bundleNames.map { folder.appendingPathComponent($0) }
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for base in [executable, Bundle.main.bundleURL, Bundle.main.resourceURL].compactMap({ $0 }) {
            bases += bundleNames.map { base.appendingPathComponent($0) }
        }
        var seen = Set<String>()
        return bases.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The first `name` found in `folders`; nil when none has it.
    public static func url(of name: String, in folders: [URL] = searchFolders()) -> URL? {
        folders.map { $0.appendingPathComponent(name) }.first { FileManager.default.isReadableFile(atPath: $0.path) }
    }

    /// `url(of:in:)`, or `ModelLoadError.resourceMissing` naming the folders searched and the fix.
    public static func locate(_ name: String, in folders: [URL] = searchFolders()) throws -> URL {
        guard let url = url(of: name, in: folders) else {
            throw ModelLoadError.resourceMissing(file: name, searched: folders.map(\.path))
        }
        return url
    }
}
