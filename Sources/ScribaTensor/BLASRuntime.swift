// OpenBLAS 0.3.21 (Debian 12) picks its kernels from the CPU model at load time. Virtualised Xeons
// that report a generic model name ("Intel(R) Xeon(R) Processor") are not recognised and get the
// "Prescott" (SSE3) kernels: sgemm measured 3.3× slower on this project's machines (1024³: 86 ms vs
// 26 ms with SkylakeX). OpenBLAS only reads OPENBLAS_CORETYPE before it loads, so an executable that
// wants the right kernels must set it and start again; `relaunchWithFasterKernelsIfNeeded` does that.
#if canImport(Glibc)
import Glibc
#endif
#if !canImport(Accelerate)
import CBLAS
#endif
import Foundation

public enum BLASRuntime {
    /// Environment variable that turns the relaunch off (set to 1), e.g. to compare kernels.
    public static let keepKernelsVariable = "SCRIBA_KEEP_BLAS_KERNELS"

    /// The kernel family OpenBLAS is using, or "Accelerate" on macOS.
    public static var coreName: String {
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
        // Only the generic families are replaced; a recognised CPU keeps OpenBLAS's own choice.
        guard ["prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington", "nehalem", "unknown"]
            .contains(current.lowercased()) else { return nil }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
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

    /// Re-executes the current program with OPENBLAS_CORETYPE set when OpenBLAS picked generic kernels
    /// on a CPU that supports better ones. Returns normally when nothing needs to change or exec fails
    /// (the program then runs, slower, with the kernels it has). Call first thing in `main`.
    public static func relaunchWithFasterKernelsIfNeeded() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard let better = betterCoreType(current: coreName, cpuFlags: cpuFlags(), environment: environment) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        // Guards against a loop should the variable not take effect.
        setenv(keepKernelsVariable, "1", 1)
        let arguments = CommandLine.arguments
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cArguments)
        // exec failed: carry on with the generic kernels.
        for pointer in cArguments { free(pointer) }
        #endif
    }
}
