import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns command-line inputs — files, folders, glob patterns — into the list of files to process.
public enum InputCollector {
    /// Extensions a folder scan picks up (lower case). Files named explicitly are taken whatever
    /// their extension, so a mislabelled file fails with a decoding error rather than vanishing.
    public static let mediaExtensions: Set<String> = [
        "wav", "mp3", "m4a", "flac", "ogg", "oga", "opus", "aac", "wma", "aif", "aiff", "amr",
        "mp4", "m4v", "mkv", "mov", "webm", "avi", "mpeg", "mpg", "mpga", "3gp", "ts",
    ]

    /// Files in argument order (folders scanned recursively and sorted, globs sorted), each once.
    /// Paths that do not exist fail the whole list (`BatchError.noSuchFile`, naming them), so a typo
    /// is reported before any model loads rather than after an hour of the other files.
    public static func collect(_ arguments: [String]) throws -> [URL] {
        guard !arguments.isEmpty else { throw BatchError.noInputs }
        var missing: [String] = []
        var result: [URL] = []
        var seen = Set<String>()
        func add(_ url: URL) {
            let key = url.standardizedFileURL.path
            if seen.insert(key).inserted { result.append(url.standardizedFileURL) }
        }
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let files = try scan(folder: URL(fileURLWithPath: argument))
                    if files.isEmpty { throw BatchError.emptyFolder(path: argument) }
                    files.forEach(add)
                } else {
                    add(URL(fileURLWithPath: argument))
                }
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument)
                if matches.isEmpty { throw BatchError.noMatch(pattern: argument) }
                matches.map { URL(fileURLWithPath: $0) }.forEach(add)
            } else {
                missing.append(argument)
            }
        }
        if !missing.isEmpty { throw BatchError.noSuchFile(paths: missing) }
        return result
    }

    static func scan(folder: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
        var files: [URL] = []
        for case let url as URL in enumerator
        where mediaExtensions.contains(url.pathExtension.lowercased())
            && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Regular files matching a shell pattern (`talks/*.mp3`), sorted.
    static func glob(_ pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, 0, nil, &matches) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(matches.gl_pathc) {
            guard let pointer = matches.gl_pathv[index] else { continue }
            let path = String(cString: pointer)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(path) }
        }
        return paths.sorted()
    }
}
