// faster-whisper's temperature fallback needs `len(text) / len(zlib.compress(text))`. Scriba has no zlib
// module target, so the system's zlib (present on every Linux and macOS install; Python's zlib module is
// the same library) is opened at run time; compress2 at the default level writes the very bytes
// Python's zlib.compress does. If zlib cannot be opened the ratio is nil and fallback uses only the
// log-probability rule.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum WhisperCompression {
    private typealias Compress2 = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?,
                                                  UnsafePointer<UInt8>?, UInt, Int32) -> Int32
    private typealias CompressBound = @convention(c) (UInt) -> UInt

    /// The resolved zlib entry points (immutable after the one-time lookup).
    private final class Library: @unchecked Sendable {
        let compress2: Compress2
        let compressBound: CompressBound
        init?() {
            let names = ["libz.so.1", "libz.so", "/usr/lib/libz.1.dylib", "libz.dylib"]
            guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first,
                  let c = dlsym(handle, "compress2"), let b = dlsym(handle, "compressBound") else { return nil }
            compress2 = unsafeBitCast(c, to: Compress2.self)
            compressBound = unsafeBitCast(b, to: CompressBound.self)
        }
    }
    private static let library = Library()

    /// Whether the ratio can be computed on this machine.
    static var isAvailable: Bool { library != nil }

    /// UTF-8 byte count of `text` over its zlib-compressed size (level 6, as Python's default).
    static func ratio(_ text: String) -> Double? {
        guard let library else { return nil }
        let bytes = Array(text.utf8)
        var capacity = library.compressBound(UInt(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { source in
                library.compress2(out.baseAddress, &capacity, source.baseAddress, UInt(bytes.count), -1)
            }
        }
        guard status == 0, capacity > 0 else { return nil }
        return Double(bytes.count) / Double(capacity)
    }
}
