/// Float working memory a model allocates once and reuses every call, freed with its owner:
/// zero-filled, never moved unless `reserve` asks for more than it has (grow-only).
public final class ScratchBuffer {
    public private(set) var pointer: UnsafeMutablePointer<Float>
    public private(set) var capacity: Int

    public init(_ capacity: Int) {
        self.capacity = max(1, capacity)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Room for `needed` floats; a larger request reallocates (earlier pointers become invalid).
    public func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        pointer.deallocate()
        capacity = needed
        pointer = .allocate(capacity: needed)
        pointer.initialize(repeating: 0, count: needed)
    }

    /// The first `count` floats, reserving them first.
    public func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        reserve(count)
        return UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
