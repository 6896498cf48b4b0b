/// Element-wise helpers the model files share.
public enum Vector {
    /// y[i] += x[i] (element by element, so the result does not depend on how it is vectorised).
    @inline(__always)
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// Index of the largest value; the first on ties, as torch.argmax and CTranslate2's greedy pick.
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<count where x[i] > bestValue {
            bestValue = x[i]
            best = i
        }
        return best
    }
}
