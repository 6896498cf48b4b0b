// OpenBLAS 0.3.21 (Debian 12) picks its kernels from the CPU model when it loads. Virtualised Xeons
// that report a generic model ("Intel(R) Xeon(R) Processor", family 6 model 207 here) are not
// recognised and get the "Prescott" (SSE3) kernels: sgemm 1024³ on 2 threads measured 56–64 GFLOP/s
// against 282–294 with SkylakeX. Debian's OpenBLAS is a DYNAMIC_ARCH build, which exports the
// functions that pick the kernel table; calling them again after setting OPENBLAS_CORETYPE switches
// the kernels in this process (checked bit-for-bit against a fresh start with the variable set). It
// happens once: first thing in the executables' `main` (`prepare()`), else before the first BLAS call
// through `BLAS` (every wrapper touches `kernelChoice`), so tests and library users get it too.
#if canImport(Glibc)
import Glibc
#endif
#if !canImport(Accelerate)
import CBLAS
#endif
import Foundation

public enum BLASRuntime {
    /// Environment variable that keeps OpenBLAS's own choice (set to 1), e.g. to compare kernels.
    public static let keepKernelsVariable = "SCRIBA_KEEP_BLAS_KERNELS"

    /// The kernel family switched to, or nil when nothing changed. Evaluated once (thread-safe).
    @usableFromInline static let kernelChoice: String? = switchToFasterKernelsIfNeeded()

    /// Makes the switch now. Executables call this first thing in `main`: the switch sets an
    /// environment variable, which is only safe while no other thread may read the environment.
    /// Library users get it lazily at their first BLAS call.
    public static func prepare() { _ = kernelChoice }

    /// The kernel family OpenBLAS is using, or "Accelerate" on macOS.
    public static var coreName: String {
        _ = kernelChoice
        return loadedCoreName()
    }

    private static func loadedCoreName() -> String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// The kernel family to ask for when OpenBLAS fell back to generic kernels on a CPU whose flags
    /// (from /proc/cpuinfo) support better ones; nil when nothing should change.
    public static func betterCoreType(current: String, cpuFlags: Set<String>, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[keepKernelsVariable] != "1" else { return nil }
        let avx512 = cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"])
        // OpenBLAS 0.3.21 predates Zen 4/5: it gives them the AVX2 kernels of "Zen"/"Haswell" although
        // they have AVX-512 (a CPU with AVX-512 that it recognises gets SkylakeX or newer). SkylakeX
        // kernels measured 1.3–2× the sgemm GFLOP/s on a Zen 5 EPYC VM (1024³ and 100×4096×1024) and
        // 30 % less CPU for a diarization run.
        if ["zen", "haswell"].contains(current.lowercased()) && avx512 { return "SkylakeX" }
        // Otherwise only the generic families are replaced; a recognised CPU keeps OpenBLAS's own choice.
        guard ["prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington", "nehalem", "unknown"]
            .contains(current.lowercased()) else { return nil }
        if avx512 { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Flags of the first CPU in /proc/cpuinfo (empty elsewhere).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let cpuinfo,
              let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    private static func switchToFasterKernelsIfNeeded() -> String? {
        #if os(Linux) && !canImport(Accelerate)
        guard let better = betterCoreType(current: loadedCoreName(), cpuFlags: cpuFlags(),
                                          environment: ProcessInfo.processInfo.environment) else { return nil }
        // Looked up at run time: an OpenBLAS built for one CPU has no such functions and still links.
        guard let quit = dlsym(nil, "gotoblas_dynamic_quit"), let start = dlsym(nil, "gotoblas_dynamic_init") else { return nil }
        setenv("OPENBLAS_CORETYPE", better, 1)
        typealias Entry = @convention(c) () -> Void
        unsafeBitCast(quit, to: Entry.self)()
        unsafeBitCast(start, to: Entry.self)()
        return loadedCoreName()
        #else
        return nil
        #endif
    }
}
