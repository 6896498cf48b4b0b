import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Japanese words from MeCab (`-Owakati`, the system dictionary: Debian's mecab-ipadic-utf8).
///
/// libmecab is opened with `dlopen` when first needed, so Scriba builds and runs without it and
/// only Japanese alignment reports its absence (naming the apt packages). One MeCab tagger is not
/// thread-safe: calls are serialised by a lock.
///
/// Differences from the reference's nagisa (measured on the sentences in
/// Tests/Fixtures/qwen3/aligner_units_reference.json; see Tests/Fixtures/README.md):
/// IPADIC keeps some compounds whole that nagisa splits (日本語, 図書館, お願い, ので, 十分) and keeps
/// digit runs together (2024) where nagisa makes one unit per digit. Both cut verb endings the
/// same way (し/まし/た). Times then cover the same audio with fewer, longer units.
public final class MeCabSegmenter: JapaneseSegmenter, @unchecked Sendable {
    private typealias New = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    private typealias Parse = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> UnsafePointer<CChar>?
    private typealias StrError = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    private typealias Destroy = @convention(c) (OpaquePointer?) -> Void

    /// Library names tried in order (Debian runtime package first, then the -dev symlink, macOS).
    public static let libraryNames = ["libmecab.so.2", "libmecab.so", "libmecab.dylib",
                                      "/opt/homebrew/lib/libmecab.dylib", "/usr/local/lib/libmecab.dylib"]

    private let handle: UnsafeMutableRawPointer
    private let tagger: OpaquePointer
    private let parse: Parse
    private let strerror: StrError
    private let destroy: Destroy
    private let lock = NSLock()

    /// `arguments`: MeCab's command-line options (e.g. add `-d DIR` for another dictionary).
    public init(arguments: String = "-Owakati") throws {
        var handle: UnsafeMutableRawPointer?
        var failures: [String] = []
        for name in Self.libraryNames {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            if let message = dlerror() { failures.append(String(cString: message)) }
        }
        guard let handle else {
            throw SegmenterError.mecabLibraryMissing(tried: Self.libraryNames, detail: failures.first ?? "not found")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else {
                dlclose(handle)
                throw SegmenterError.mecabSymbolMissing(name)
            }
            return unsafeBitCast(pointer, to: type)
        }
        let new = try symbol("mecab_new2", as: New.self)
        let parse = try symbol("mecab_sparse_tostr", as: Parse.self)
        let strerror = try symbol("mecab_strerror", as: StrError.self)
        let destroy = try symbol("mecab_destroy", as: Destroy.self)
        guard let tagger = new(arguments) else {
            let detail = strerror(nil).map { String(cString: $0) } ?? "unknown error"
            dlclose(handle)
            throw SegmenterError.mecabStartFailed(arguments: arguments, detail: detail)
        }
        self.handle = handle
        self.tagger = tagger
        self.parse = parse
        self.strerror = strerror
        self.destroy = destroy
    }

    deinit {
        destroy(tagger)
        dlclose(handle)
    }

    /// One tagger per process for the aligner (starting MeCab loads a ~50 MB dictionary).
    public static func shared() throws -> MeCabSegmenter {
        sharedLock.lock()
        defer { sharedLock.unlock() }
        if let sharedInstance { return sharedInstance }
        let made = try MeCabSegmenter()
        sharedInstance = made
        return made
    }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedInstance: MeCabSegmenter?

    public func words(in text: String) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        var words: [String] = []
        // Line by line: MeCab analyses one sentence per call; NUL would end the C string early.
        for line in text.split(whereSeparator: \.isNewline) {
            let sentence = line.replacingOccurrences(of: "\0", with: "")
            guard sentence.contains(where: { !$0.isWhitespace }) else { continue }
            guard let result = parse(tagger, sentence) else {
                throw SegmenterError.mecabParseFailed(detail: strerror(tagger).map { String(cString: $0) } ?? "unknown error")
            }
            words += String(cString: result).split(whereSeparator: { $0 == " " || $0.isNewline }).map(String.init)
        }
        return words
    }
}
