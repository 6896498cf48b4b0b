// The one place Scriba talks to a BLAS library: OpenBLAS (Linux, via the CBLAS system target)
// or Accelerate (macOS). Everything else calls these wrappers, so swapping the library touches
// this file only. Each wrapper first makes sure OpenBLAS runs the kernels this CPU supports
// (BLASRuntime.swift).
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

public enum BLAS {
    /// Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C,
    /// where op(A) is m×k and op(B) is k×n; lda/ldb/ldc are row strides in elements.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = BLASRuntime.kernelChoice
        cblas_sgemm(
            CblasRowMajor,
            transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Row-major single-precision GEMV: y = alpha · op(A) · x + beta · y, A is m×n (row stride lda).
    @inlinable
    public static func sgemv(
        trans: Bool = false, m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        _ = BLASRuntime.kernelChoice
        cblas_sgemv(
            CblasRowMajor, trans ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// Threads BLAS may use (the machine has 2 cores; benchmarks compare 1 and 2).
    /// Accelerate picks its own, so this is a no-op there.
    public static func setThreads(_ count: Int) {
        #if !canImport(Accelerate)
        _ = BLASRuntime.kernelChoice
        openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }

    public static var threads: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}
