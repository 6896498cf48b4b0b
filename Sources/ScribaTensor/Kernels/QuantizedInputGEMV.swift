// The int8-weight decode-step GEMV on CPUs with AVX-512 VNNI (CScribaKernels/int8_dot.c): the input
// row is quantised to int16, one scale per 128 (or 64, 32) columns, and multiplied with the int8
// weights in integer arithmetic. Widening every weight to float was the bottleneck of the Swift
// kernel (about ten vector instructions per 16 weights on the two vector ports; a thread read
// 6–9 GB/s); here it takes two per 32, and a thread reads ~14 GB/s, what a core's memory
// bandwidth allows. The inputs' rounding, ≤ max|x| / 65534 per value, is ~250× finer than the
// int8 weights' own. (int8 inputs, as in llama.cpp's Q8_0, lost 20 of 192 greedy tokens on the
// Qwen3 parity fixtures; int16 inputs lose none.)
import CScribaKernels
import Foundation

enum QuantizedInputGEMV {
    /// Off with SCRIBA_INT8_INPUTS=f32 (the Swift kernel then runs; for measuring, e.g. `scriba-bench`).
    static let isEnabled = scriba_int8_dot_available() != 0
        && ProcessInfo.processInfo.environment["SCRIBA_INT8_INPUTS"] != "f32"

    /// Columns per input scale for `weight`, or nil when the kernel does not apply (not int8, no
    /// VNNI, or columns and groups that 32-column blocks do not tile).
    static func block(for weight: WeightMatrix) -> Int? {
        guard isEnabled, case .int8 = weight.storage else { return nil }
        return [128, 64, 32].first { weight.cols % $0 == 0 && weight.groupSize % $0 == 0 }
    }

    static func multiply(
        values: UnsafePointer<Int8>, scales: UnsafePointer<Float>, _ weight: WeightMatrix, block: Int,
        x: UnsafePointer<Float>, inputs: Int, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        pool: ThreadPool?
    ) {
        let cols = weight.cols, rows = weight.rows
        // On the stack for decode-sized inputs (a few KB), so a token allocates nothing.
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: inputs * cols) { q in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: inputs * cols / block) { xScales in
                scriba_quantize_activations(x, Int32(inputs * cols), Int32(block), q.baseAddress!, xScales.baseAddress!)
                GEMV.split(rows: rows, elements: rows * cols, pool: pool) { range in
                    scriba_int8_gemv(
                        values, scales, Int32(cols), Int32(weight.groupSize), Int32(weight.groupsPerRow),
                        q.baseAddress!, xScales.baseAddress!, Int32(block),
                        Int32(inputs), bias, output, Int32(rows), Int32(range.lowerBound), Int32(range.upperBound))
                }
            }
        }
    }
}
