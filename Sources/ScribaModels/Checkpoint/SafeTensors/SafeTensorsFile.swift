// Reads one .safetensors file (format: 8-byte little-endian header length N, N bytes of JSON
// header, then the raw tensor bytes; see huggingface/safetensors README). The file is memory-mapped
// so multi-gigabyte checkpoints cost no copy until a tensor is converted, and every header claim is
// checked against the real file size before anything is read or allocated from it.
//
// Unlike the reference (safetensors 0.8 `Metadata::validate`), gaps between tensors and unsorted
// offsets are accepted; only overlaps are rejected, since they are what would make two weights alias.

import Foundation
import ScribaTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// @unchecked Sendable: every stored property is immutable after init and the mapping is PROT_READ,
// so concurrent readers only ever read the same bytes; the raw pointer is what the checker can't see.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Where one tensor's bytes are and how to read them.
    public struct TensorInfo: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Absolute byte offsets in the file (the header's `data_offsets` plus 8 + header length).
        public let byteRange: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Header lengths above this are rejected before reading: the reference uses the same 100 MB cap,
    /// and a real header (names + shapes for ~1000 tensors) is well under 1 MB.
    public static let maxHeaderByteCount = 100_000_000

    public let url: URL
    /// The header's `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Tensor names, sorted.
    public let names: [String]
    /// Size of the whole file in bytes.
    public let byteCount: Int

    private let tensors: [String: TensorInfo]
    private let base: UnsafeRawPointer

    public init(url: URL) throws {
        let (base, size) = try Self.map(url)
        do {
            let header = try SafeTensorsHeader.parse(base: base, fileByteCount: size, url: url)
            self.metadata = header.metadata
            self.tensors = header.tensors
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
        self.url = url
        self.base = base
        self.byteCount = size
        self.names = tensors.keys.sorted()
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
    }

    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw ModelLoadError.tensorMissing(name: name, in: url) }
        return info
    }

    /// The tensor's bytes in place (zero-copy). The buffer is valid only inside `body`.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        // `self` (and so the mapping) stays alive for the whole method call.
        return try body(UnsafeRawBufferPointer(start: base + info.byteRange.lowerBound, count: info.byteRange.count))
    }

    /// The tensor converted to Float (F32 copied, F16 and BF16 widened exactly).
    public func floats(_ name: String) throws -> [Float] {
        let info = try info(name)
        try requireFloatConvertible(info)
        let count = info.elementCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            Self.convert(base + info.byteRange.lowerBound, dtype: info.dtype, count: count, into: buffer.baseAddress)
            initialized = count
        }
    }

    /// Converts into caller-owned storage, so loaders can fill preallocated weights without a
    /// temporary array. `destination.count` must equal the tensor's element count.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try info(name)
        try requireFloatConvertible(info)
        guard destination.count == info.elementCount else {
            throw ModelLoadError.shapeMismatch(tensor: name, expected: [destination.count], found: info.shape, file: url)
        }
        Self.convert(base + info.byteRange.lowerBound, dtype: info.dtype, count: info.elementCount, into: destination.baseAddress)
    }

    /// The tensor as a Float `Tensor` with the file's shape.
    public func tensor(_ name: String) throws -> Tensor {
        let info = try info(name)
        return Tensor(shape: info.shape, data: try floats(name))
    }

    private func requireFloatConvertible(_ info: TensorInfo) throws {
        guard info.dtype.convertsToFloat else {
            throw ModelLoadError.unsupportedDType(url, tensor: info.name, dtype: info.dtype.rawValue)
        }
    }

    /// Maps the whole file; fewer than the 8 bytes of the header length is an error of its own.
    private static func map(_ url: URL) throws -> (UnsafeRawPointer, Int) {
        let (base, size) = try MappedFile.map(url)
        guard let base, size >= 8 else {
            MappedFile.unmap(base, size)
            throw ModelLoadError.fileTooSmall(url, byteCount: size)
        }
        return (base, size)
    }
}
