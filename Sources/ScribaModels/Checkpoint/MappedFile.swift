import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A weight file mapped read-only (safetensors, CTranslate2 model.bin): multi-gigabyte checkpoints
/// cost no copy until a tensor is read. The descriptor is closed once mapped.
enum MappedFile {
    /// The mapping of `url` and its length; a nil base for an empty file (mmap rejects length 0).
    /// Missing, unreadable or non-regular files are `ModelLoadError`s naming the file.
    static func map(_ url: URL) throws -> (UnsafeRawPointer?, Int) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw ModelLoadError.fileMissing(url) }
            throw ModelLoadError.unreadable(url, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw ModelLoadError.unreadable(url, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ModelLoadError.unreadable(url, reason: "not a regular file")
        }
        let length = Int(status.st_size)
        if length == 0 { return (nil, 0) }
        guard let pointer = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0),
              pointer != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw ModelLoadError.unreadable(url, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        return (UnsafeRawPointer(pointer), length)
    }

    static func unmap(_ base: UnsafeRawPointer?, _ length: Int) {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), length) }
    }
}
