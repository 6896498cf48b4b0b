import Testing
import ScribaTensor

@Test func sgemmMultipliesTwoByTwo() {
    let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    c.withPointer { BLAS.sgemm(m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: $0, ldc: 2) }
    #expect(c == [19, 22, 43, 50])
}
