import Foundation
import Testing
@testable import ScribaTensor

struct BLASRuntimeTests {
    let avx512: Set<String> = ["sse3", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    @Test func genericKernelsOnAnAVX512MachineAskForSkylakeX() {
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: avx512, environment: [:]) == "SkylakeX")
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: ["avx2", "fma"], environment: [:]) == "Haswell")
    }

    /// OpenBLAS 0.3.21 gives Zen 4/5 (AVX-512) the AVX2 kernels of "Zen" / "Haswell".
    @Test func avx2KernelsOnAnAVX512MachineAskForSkylakeX() {
        #expect(BLASRuntime.betterCoreType(current: "Zen", cpuFlags: avx512, environment: [:]) == "SkylakeX")
        #expect(BLASRuntime.betterCoreType(current: "Haswell", cpuFlags: avx512, environment: [:]) == "SkylakeX")
        #expect(BLASRuntime.betterCoreType(current: "Haswell", cpuFlags: ["avx2", "fma"], environment: [:]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Zen", cpuFlags: avx512, environment: [BLASRuntime.keepKernelsVariable: "1"]) == nil)
    }

    @Test func recognisedCPUsAndUserChoicesAreLeftAlone() {
        #expect(BLASRuntime.betterCoreType(current: "SkylakeX", cpuFlags: avx512, environment: [:]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Zen", cpuFlags: ["avx2", "fma"], environment: [:]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: avx512, environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: avx512, environment: [BLASRuntime.keepKernelsVariable: "1"]) == nil)
        #expect(BLASRuntime.betterCoreType(current: "Prescott", cpuFlags: ["sse3"], environment: [:]) == nil)
    }

    /// In this process (no relaunch): once BLAS has been called, no better kernel family is left to
    /// ask for, whatever OpenBLAS picked when it loaded. Skipped when the user pinned the kernels.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[BLASRuntime.keepKernelsVariable] != "1"
                   && ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil))
    func thisProcessRunsTheBestKernelsItsCPUAllows() {
        var c: [Float] = [0]
        BLAS.sgemm(m: 1, n: 1, k: 1, a: [2], lda: 1, b: [3], ldb: 1, c: &c, ldc: 1)
        #expect(c == [6])
        #expect(BLASRuntime.betterCoreType(current: BLASRuntime.coreName, cpuFlags: BLASRuntime.cpuFlags(), environment: [:]) == nil,
                "OpenBLAS kernels: \(BLASRuntime.coreName)")
    }

    @Test func cpuFlagsAreReadFromTheFirstFlagsLine() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: fpu sse3 avx2 fma\n\nflags\t: other\n"
        #expect(BLASRuntime.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse3", "avx2", "fma"])
        #expect(BLASRuntime.cpuFlags(cpuinfo: "") == [])
    }
}
