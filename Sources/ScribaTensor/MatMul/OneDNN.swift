// oneDNN's matmul (x86-64 Linux with libdnnl-dev; see Package.swift) for the many-row products in
// bf16 and int8: on AVX512_BF16 / VNNI CPUs it runs them 2–5× faster than f32 sgemm. Weights are used
// in place, in PyTorch's [out, in] layout, so nothing is packed or copied at load. Without oneDNN
// (macOS, other CPUs, SCRIBA_ONEDNN=0 at build time) `isAvailable` is false and callers use BLAS.
#if SCRIBA_ONEDNN
import CScribaOneDNN
#endif
import Foundation

public enum OneDNN {
    /// Whether this build has oneDNN's matmul, libdnnl loads, and it is not turned off with
    /// SCRIBA_ONEDNN=0 in the environment (to compare with the sgemm path in one binary).
    public static let isAvailable: Bool = {
        #if SCRIBA_ONEDNN
        guard !["0", "off", "no", "false"].contains(ProcessInfo.processInfo.environment["SCRIBA_ONEDNN"]?.lowercased() ?? "") else {
            return false
        }
        return scriba_onednn_load() == 1
        #else
        return false
        #endif
    }()

    /// What `isAvailable` found: the backend in use, or why oneDNN is not (printed by `scriba-bench`).
    public static var status: String {
        #if SCRIBA_ONEDNN
        if isAvailable {
            // The kernels oneDNN picks for a typical shape: "brg:avx512_core_bf16" / "…_vnni" are the
            // fast ones; "gemm:jit" would mean a slow fallback.
            return "oneDNN (bf16 \(implementation(bf16: true)), int8 \(implementation(bf16: false)))"
        }
        if scriba_onednn_load() == 0 { return "BLAS sgemm (\(String(cString: scriba_onednn_last_error())))" }
        return "BLAS sgemm (oneDNN turned off by SCRIBA_ONEDNN)"
        #else
        return "BLAS sgemm (built without oneDNN)"
        #endif
    }

    /// Sets the number of threads oneDNN's products use (its OpenMP team); no-op without oneDNN.
    static func setThreads(_ count: Int) {
        #if SCRIBA_ONEDNN
        scriba_onednn_set_threads(Int32(max(1, count)))
        #endif
    }

    enum Kind { case bf16, s8 }

    /// c[m × n, row stride ldc] (+)= a[m × k] · w[n × k]ᵀ (or a · w for a `kMajor` w [k × n]); a and w
    /// are bf16 bit patterns (`.bf16`) or int8 (`.s8`: exact integer sums, unscaled). False when oneDNN
    /// is absent or failed, and then `c` is untouched.
    static func multiply(_ kind: Kind, a: UnsafeRawPointer, m: Int, k: Int, w: UnsafeRawPointer, n: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, kMajor: Bool = false) -> Bool {
        #if SCRIBA_ONEDNN
        let cKind = kind == .bf16 ? SCRIBA_MATMUL_BF16 : SCRIBA_MATMUL_S8
        guard let matmul = scriba_matmul_get(Int64(m), Int64(k), Int64(n), Int64(ldc), cKind, accumulate ? 1 : 0, kMajor ? 1 : 0) else {
            return false
        }
        return scriba_matmul_run(matmul, a, w, c) == 0
        #else
        return false
        #endif
    }

    /// The implementation oneDNN picks for a bf16 or s8 product of an encoder-sized shape, or why there
    /// is none.
    private static func implementation(bf16: Bool) -> String {
        #if SCRIBA_ONEDNN
        guard let matmul = scriba_matmul_get(256, 1024, 1024, 1024, bf16 ? SCRIBA_MATMUL_BF16 : SCRIBA_MATMUL_S8, 0, 0) else {
            return String(cString: scriba_onednn_last_error())
        }
        return String(cString: scriba_matmul_implementation(matmul))
        #else
        return "none (built without oneDNN)"
        #endif
    }
}
