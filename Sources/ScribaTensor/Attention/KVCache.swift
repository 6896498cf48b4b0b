// Key/value cache for autoregressive decoding: per layer, preallocated [maxSeq × kvHeads × headDim]
// keys and values. Appending writes after the existing rows; nothing already cached moves, and the
// storage never reallocates, so pointers from `keys(layer:)` stay valid for the cache's lifetime.
// A class (not a struct over [Float]) so pointers into it are stable and never trigger copy-on-write.

/// Thrown when a decode would run past the preallocated length.
public enum KVCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    case full(layer: Int, length: Int, appending: Int, capacity: Int)
    case layerOutOfRange(layer: Int, layers: Int)

    public var description: String {
        switch self {
        case let .full(layer, length, appending, capacity):
            return "KV cache layer \(layer) holds \(length) of \(capacity) positions and cannot take \(appending) more; "
                + "split the audio into shorter chunks or create the cache with a larger maxSequenceLength."
        case let .layerOutOfRange(layer, layers):
            return "KV cache has \(layers) layers; layer \(layer) does not exist (the model and cache configs disagree)."
        }
    }
}

public final class KVCache {
    public let layers: Int
    public let maxSequenceLength: Int
    public let kvHeads: Int
    public let headDim: Int
    /// Floats per cached position: kvHeads · headDim (the row stride to pass to Attention).
    public let rowWidth: Int
    /// Cached positions per layer.
    public private(set) var lengths: [Int]

    private let keyStorage: UnsafeMutablePointer<Float>
    private let valueStorage: UnsafeMutablePointer<Float>
    private let layerStride: Int

    public init(layers: Int, maxSequenceLength: Int, kvHeads: Int, headDim: Int) {
        self.layers = max(0, layers)
        self.maxSequenceLength = max(0, maxSequenceLength)
        self.kvHeads = kvHeads
        self.headDim = headDim
        rowWidth = kvHeads * headDim
        layerStride = self.maxSequenceLength * rowWidth
        lengths = [Int](repeating: 0, count: self.layers)
        let total = self.layers * layerStride
        keyStorage = .allocate(capacity: max(1, total))
        valueStorage = .allocate(capacity: max(1, total))
        keyStorage.initialize(repeating: 0, count: max(1, total))
        valueStorage.initialize(repeating: 0, count: max(1, total))
    }

    deinit {
        keyStorage.deallocate()
        valueStorage.deallocate()
    }

    /// Keys of `layer`, rows 0..<lengths[layer] valid, row stride `rowWidth`.
    public func keys(layer: Int) -> UnsafePointer<Float> { UnsafePointer(keyStorage + layer * layerStride) }
    public func values(layer: Int) -> UnsafePointer<Float> { UnsafePointer(valueStorage + layer * layerStride) }

    /// Reserves the next `rows` positions of `layer` and returns where to write them, so projections
    /// (and RoPE) can write straight into the cache. The rows count as cached from now on.
    public func appendSlots(layer: Int, rows: Int) throws(KVCacheError) -> (keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>) {
        guard layer >= 0 && layer < layers else { throw .layerOutOfRange(layer: layer, layers: layers) }
        let length = lengths[layer]
        guard rows >= 0 && length + rows <= maxSequenceLength else {
            throw .full(layer: layer, length: length, appending: rows, capacity: maxSequenceLength)
        }
        lengths[layer] = length + rows
        let offset = layer * layerStride + length * rowWidth
        return (keyStorage + offset, valueStorage + offset)
    }

    /// Copies `rows` rows of keys and values ([rows × rowWidth] each) after the cached ones.
    public func append(layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rows: Int) throws(KVCacheError) {
        let slots = try appendSlots(layer: layer, rows: rows)
        slots.keys.update(from: keys, count: rows * rowWidth)
        slots.values.update(from: values, count: rows * rowWidth)
    }

    /// Forgets positions from `length` on in every layer (e.g. to reuse a shared prompt prefix).
    public func truncate(to length: Int) {
        let kept = max(0, length)
        for layer in 0..<layers { lengths[layer] = min(lengths[layer], kept) }
    }

    public func reset() { truncate(to: 0) }
}
