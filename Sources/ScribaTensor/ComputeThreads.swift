// One number for every thread Scriba computes on: its own pool (GEMV, attention, dequantising),
// OpenBLAS's threads (sgemm) and oneDNN's OpenMP team (bf16 / int8 matmul). They take turns, never
// run at once, so each may use all of them; two pools sized apart would oversubscribe the cores. The
// default is the physical cores: a second hyper-thread adds no multiply units to memory-bound GEMVs
// or to AVX-512 matmuls, and the spinning hand-offs of both pools assume a core each.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

public enum ComputeThreads {
    private static let requested = Mutex<Int?>(nil)

    /// The thread count in force: the one `set` chose, else the physical cores.
    public static var count: Int { requested.withLock { $0 } ?? physicalCores }

    /// Uses `count` threads (at least 1) for all three pools. Call it before the first model runs:
    /// Scriba's own pool is created at first use with the count then in force; later calls reach only
    /// BLAS and oneDNN.
    public static func set(_ count: Int) {
        let count = max(1, count)
        requested.withLock { $0 = count }
        BLAS.setThreads(count)
        OneDNN.setThreads(count)
    }

    /// Physical cores this process may run on: distinct (package, core) pairs of /proc/cpuinfo, capped
    /// by the CPUs it is allowed (affinity, containers); the logical count where cpuinfo has no
    /// topology (macOS, some VMs).
    public static let physicalCores: Int = {
        let logical = ProcessInfo.processInfo.activeProcessorCount
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return logical }
        return min(logical, physicalCoreCount(cpuinfo: cpuinfo) ?? logical)
    }()

    /// Distinct (physical id, core id) pairs in a /proc/cpuinfo text; nil without topology lines.
    static func physicalCoreCount(cpuinfo: String) -> Int? {
        var cores = Set<String>()
        var package = "0"
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "physical id" { package = parts[1] }
            if parts[0] == "core id" { cores.insert("\(package)/\(parts[1])") }
        }
        return cores.isEmpty ? nil : cores.count
    }
}
