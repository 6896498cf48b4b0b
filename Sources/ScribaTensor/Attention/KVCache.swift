// Key/value cache for autoregressive decoding: per layer, preallocated [maxSeq × kvHeads × headDim]
// keys and values. Appending writes after the existing rows; nothing already cached moves, and the
// storage never reallocates, so pointers from `keys(layer:)` stay valid for the cache's lifetime.
// A class (not a struct over [Float]) so pointers into it are stable and never trigger copy-on-write.
//
// `.bf16` storage halves the bytes a decode step reads from the cache — at a 5-minute context that
// read is most of the step (1.18 GB in f32 for Qwen3-ASR-0.6B). Appended rows are then written as f32
// into a staging area (`appendSlots`) and rounded into the cache by `commit`; decode steps read the
// bf16 rows directly (`SingleQueryAttention`), many-row attention reads them widened (`f32View`).
// Models keep f32 storage at f32 precision, so that path stays exact.

/// How a `KVCache` holds keys and values.
public enum KVCacheStorage: Sendable, Equatable {
    case f32
    /// bfloat16 bit patterns, rounded to nearest even.
    case bf16
}

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

    public let storage: KVCacheStorage

    /// Keys and values of every layer: Float (`.f32`) or UInt16 bit patterns (`.bf16`).
    private let keyStorage: UnsafeMutableRawPointer
    private let valueStorage: UnsafeMutableRawPointer
    private let layerStride: Int
    /// `.bf16`: f32 rows appended but not yet committed (layer, first row, count), and the f32 buffers
    /// for them and for widened views. Grow-only.
    private var staged: (layer: Int, start: Int, rows: Int)?
    private let staging = ScratchBuffer(1)
    private let widened = ScratchBuffer(1)

    public init(layers: Int, maxSequenceLength: Int, kvHeads: Int, headDim: Int, storage: KVCacheStorage = .f32) {
        self.layers = max(0, layers)
        self.maxSequenceLength = max(0, maxSequenceLength)
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.storage = storage
        rowWidth = kvHeads * headDim
        layerStride = self.maxSequenceLength * rowWidth
        lengths = [Int](repeating: 0, count: self.layers)
        let bytes = max(1, self.layers * layerStride) * (storage == .f32 ? 4 : 2)
        keyStorage = .allocate(byteCount: bytes, alignment: 64)
        valueStorage = .allocate(byteCount: bytes, alignment: 64)
        keyStorage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        valueStorage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    deinit {
        keyStorage.deallocate()
        valueStorage.deallocate()
    }

    /// Keys of `layer`, rows 0..<lengths[layer] valid, row stride `rowWidth` (`.f32` storage).
    public func keys(layer: Int) -> UnsafePointer<Float> {
        precondition(storage == .f32, "KVCache.keys(layer:) reads f32 storage; use f32View or bf16Keys")
        return UnsafePointer(keyStorage.assumingMemoryBound(to: Float.self) + layer * layerStride)
    }

    public func values(layer: Int) -> UnsafePointer<Float> {
        precondition(storage == .f32, "KVCache.values(layer:) reads f32 storage; use f32View or bf16Values")
        return UnsafePointer(valueStorage.assumingMemoryBound(to: Float.self) + layer * layerStride)
    }

    /// Keys / values of `layer` as bf16 bit patterns (`.bf16` storage), row stride `rowWidth`.
    public func bf16Keys(layer: Int) -> UnsafePointer<UInt16> {
        precondition(storage == .bf16, "KVCache.bf16Keys(layer:) reads bf16 storage")
        return UnsafePointer(keyStorage.assumingMemoryBound(to: UInt16.self) + layer * layerStride)
    }

    public func bf16Values(layer: Int) -> UnsafePointer<UInt16> {
        precondition(storage == .bf16, "KVCache.bf16Values(layer:) reads bf16 storage")
        return UnsafePointer(valueStorage.assumingMemoryBound(to: UInt16.self) + layer * layerStride)
    }

    /// The first `length` keys and values of `layer` as f32: in place for `.f32`; for `.bf16` widened
    /// into a buffer that stays valid until the next call (many-row attention, whose products are
    /// sgemm calls). Commit appended rows first.
    public func f32View(layer: Int, length: Int) -> (keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
        precondition(staged == nil, "KVCache: commit appended rows before reading them")
        guard storage == .bf16 else { return (keys(layer: layer), values(layer: layer)) }
        let count = length * rowWidth
        widened.reserve(2 * max(1, count))
        BFloat16.convert(bf16Keys(layer: layer), to: widened.pointer, count: count)
        BFloat16.convert(bf16Values(layer: layer), to: widened.pointer + count, count: count)
        return (UnsafePointer(widened.pointer), UnsafePointer(widened.pointer + count))
    }

    /// Reserves the next `rows` positions of `layer` and returns where to write them as f32, so
    /// projections (and RoPE) can write straight into the cache (`.f32`) or its staging area (`.bf16`).
    /// The rows count as cached from now on; with `.bf16` storage call `commit()` once they are written.
    public func appendSlots(layer: Int, rows: Int) throws(KVCacheError) -> (keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>) {
        guard layer >= 0 && layer < layers else { throw .layerOutOfRange(layer: layer, layers: layers) }
        let length = lengths[layer]
        guard rows >= 0 && length + rows <= maxSequenceLength else {
            throw .full(layer: layer, length: length, appending: rows, capacity: maxSequenceLength)
        }
        precondition(staged == nil, "KVCache: commit appended rows before appending more")
        lengths[layer] = length + rows
        let offset = layer * layerStride + length * rowWidth
        guard storage == .bf16 else {
            return (keyStorage.assumingMemoryBound(to: Float.self) + offset, valueStorage.assumingMemoryBound(to: Float.self) + offset)
        }
        staged = (layer, length, rows)
        staging.reserve(2 * max(1, rows * rowWidth))
        return (staging.pointer, staging.pointer + rows * rowWidth)
    }

    /// Rounds the rows written since `appendSlots` into the cache (`.bf16`; nothing to do for `.f32`).
    public func commit() {
        guard let (layer, start, rows) = staged else { return }
        staged = nil
        let offset = layer * layerStride + start * rowWidth, count = rows * rowWidth
        BFloat16.convert(UnsafePointer(staging.pointer), to: keyStorage.assumingMemoryBound(to: UInt16.self) + offset, count: count)
        BFloat16.convert(UnsafePointer(staging.pointer + count), to: valueStorage.assumingMemoryBound(to: UInt16.self) + offset, count: count)
    }

    /// Copies `rows` rows of keys and values ([rows × rowWidth] each) after the cached ones.
    public func append(layer: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rows: Int) throws(KVCacheError) {
        let slots = try appendSlots(layer: layer, rows: rows)
        slots.keys.update(from: keys, count: rows * rowWidth)
        slots.values.update(from: values, count: rows * rowWidth)
        commit()
    }

    /// Forgets positions from `length` on in every layer (e.g. to reuse a shared prompt prefix).
    public func truncate(to length: Int) {
        staged = nil
        let kept = max(0, length)
        for layer in 0..<layers { lengths[layer] = min(lengths[layer], kept) }
    }

    public func reset() { truncate(to: 0) }
}
