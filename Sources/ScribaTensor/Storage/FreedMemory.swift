#if canImport(Glibc)
import Glibc
#endif

/// Hands memory the process has freed back to the system.
///
/// glibc raises its mmap threshold to the size of each large block freed, so after a few steps the
/// megabyte-sized activations and scratch of a decode come from the heap arenas instead of mmap,
/// and freed heap pages stay resident: a live stream stepping for ten minutes grew from 570 MB to
/// 1.6 GB with nothing leaked. Long-running loops (streaming steps) call this after each step.
/// Elsewhere (macOS) the allocator returns such pages itself; this does nothing.
public enum FreedMemory {
    public static func release() {
        #if canImport(Glibc)
        _ = trim?(0)
        #endif
    }

    #if canImport(Glibc)
    private typealias Trim = @convention(c) (Int) -> Int32
    /// Looked up at run time: `malloc_trim`'s header is not in Swift's Glibc module, and another C
    /// library may not have it.
    private static let trim: Trim? = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim")
        .map { unsafeBitCast($0, to: Trim.self) }
    #endif
}
