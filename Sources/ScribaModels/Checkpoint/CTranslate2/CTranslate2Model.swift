// Reader for CTranslate2's `model.bin` (the format faster-whisper's models ship in).
//
// Follows the writer `ModelSpec._serialize` in python/ctranslate2/specs/model_spec.py and the
// loader `Model::load` in src/models/model.cc (CTranslate2 4.x, binary version 6). Little-endian:
//
//   u32 binary_version                         (1…6)
//   string spec_name, u32 spec_revision         (binary_version ≥ 2)
//   u32 variable_count, then per variable:
//     string name, u8 rank, u32 dims[rank],
//     v ≥ 4: u8 dtype id, u32 byte_count        (dtype ids: CTranslate2DType)
//     v < 4: u8 item_size, u32 element_count
//     byte_count bytes of row-major data
//   u32 alias_count, then per alias: string alias, string target    (binary_version ≥ 3)
//   string = u16 length (including a trailing NUL), then that many bytes.
//
// The whole file is mapped read-only; variables are read straight from the mapping. Every length
// is checked against the bytes left before use, so a damaged file gives a `ModelLoadError` that
// names the variable, never a crash or a huge allocation. Not handled: quantization scales are
// not applied (int8 values come back raw; `<name>_scale` is an ordinary variable).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ScribaTensor

/// A CTranslate2 `model.bin`, mapped read-only.
///
/// `@unchecked Sendable`: the only mutable-looking state is the pointer to a private read-only
/// mapping, which is created in `init`, never written, and unmapped in `deinit`; everything else
/// is immutable, so concurrent readers are safe.
public final class CTranslate2Model: @unchecked Sendable {
    /// Newest binary version this reader understands (the one CTranslate2 4.x writes).
    public static let maxBinaryVersion = 6

    public let url: URL
    public let binaryVersion: Int
    /// e.g. "WhisperSpec"; empty for binary version 1, which stored none.
    public let specName: String
    public let specRevision: Int
    /// Stored variable names in file order (alphabetical, as CTranslate2 writes them); no aliases.
    public let names: [String]
    /// Alias name → stored variable name (e.g. "decoder/projection/weight" → "decoder/embeddings/weight").
    public let aliases: [String: String]
    /// Bytes after the alias table; CTranslate2 ignores them and so do we.
    public let trailingByteCount: Int

    private let variables: [String: CTranslate2VariableInfo]
    private let base: UnsafeRawPointer?
    private let mappedLength: Int

    /// Opens `folder/model.bin`.
    public convenience init(folder: URL) throws {
        try self.init(contentsOf: folder.appendingPathComponent("model.bin"))
    }

    public init(contentsOf url: URL) throws {
        let (base, length) = try Self.map(url)
        do {
            let bytes = UnsafeRawBufferPointer(start: base, count: length)
            var parser = CTranslate2Parser(bytes: bytes, url: url)
            let header = try parser.parse()
            self.url = url
            self.base = base
            self.mappedLength = length
            self.binaryVersion = header.binaryVersion
            self.specName = header.specName
            self.specRevision = header.specRevision
            self.names = header.names
            self.aliases = header.aliases
            self.variables = header.variables
            self.trailingByteCount = header.trailingByteCount
        } catch {
            if let base { munmap(UnsafeMutableRawPointer(mutating: base), length) }
            throw error
        }
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    /// Whether `name` is a stored variable or an alias of one.
    public func contains(_ name: String) -> Bool {
        variables[name] != nil || aliases[name] != nil
    }

    /// Type, shape and location of `name` (aliases resolved to their target).
    public func info(_ name: String) throws -> CTranslate2VariableInfo {
        if let info = variables[name] { return info }
        if let target = aliases[name], let info = variables[target] { return info }
        throw ModelLoadError.tensorMissing(name: name, in: url)
    }

    /// The raw little-endian bytes of `name`, straight from the mapping (no copy). The buffer is
    /// valid only inside `body`.
    public func withUnsafeBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try info(name)
        return try body(bytes(of: info))
    }

    /// Values of `name` as Float: float16/bfloat16 widened exactly, float32 copied, integer types
    /// converted by value (int8 weights come back unscaled; apply `<name>_scale` yourself).
    public func floats(_ name: String) throws -> [Float] {
        let info = try info(name)
        let source = bytes(of: info)
        return [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, count in
            CTranslate2Model.convert(source, dtype: info.dtype, into: buffer)
            count = info.elementCount
        }
    }

    /// Writes the values of `name` as Float into `destination`, which must hold exactly
    /// `info(name).elementCount` values; lets a loader fill preallocated storage without a temporary.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try info(name)
        guard destination.count == info.elementCount else {
            throw ModelLoadError.shapeMismatch(tensor: name, expected: [destination.count], found: info.shape, file: url)
        }
        CTranslate2Model.convert(bytes(of: info), dtype: info.dtype, into: destination)
    }

    /// `name` as a Float tensor of its stored shape (a scalar becomes shape `[]`, one value).
    public func tensor(_ name: String) throws -> Tensor {
        let info = try info(name)
        return Tensor(shape: info.shape, data: try floats(name))
    }

    /// Raw int8 values of an int8 variable (quantized weights, or strings stored as bytes).
    public func int8s(_ name: String) throws -> [Int8] {
        let info = try info(name)
        guard info.dtype == .int8 else {
            throw CTranslate2Error.dtypeMismatch(variable: name, requested: "int8", found: info.dtype, file: url)
        }
        return Array(bytes(of: info).bindMemory(to: Int8.self))
    }

    /// An integer scalar such as "encoder/num_heads" (int16) or "decoder/pre_norm" (int8).
    public func scalarInt(_ name: String) throws -> Int {
        let info = try info(name)
        guard info.shape.isEmpty else {
            throw CTranslate2Error.notAScalar(variable: name, shape: info.shape, file: url)
        }
        let source = bytes(of: info)
        switch info.dtype {
        case .int8: return Int(Int8(bitPattern: source[0]))
        case .int16: return Int(Int16(littleEndian: source.loadUnaligned(as: Int16.self)))
        case .int32: return Int(Int32(littleEndian: source.loadUnaligned(as: Int32.self)))
        case .float32, .float16, .bfloat16:
            throw CTranslate2Error.dtypeMismatch(variable: name, requested: "an integer type", found: info.dtype, file: url)
        }
    }

    private func bytes(of info: CTranslate2VariableInfo) -> UnsafeRawBufferPointer {
        // The parser proved byteOffset + byteCount <= mappedLength; a zero-length variable may
        // have no valid base when the file is empty, which the parser already rejects.
        UnsafeRawBufferPointer(start: base.map { $0 + info.byteOffset }, count: info.byteCount)
    }

    /// Converts `source` (packed little-endian `dtype` values) into `destination`, element for element.
    static func convert(_ source: UnsafeRawBufferPointer, dtype: CTranslate2DType,
                        into destination: UnsafeMutableBufferPointer<Float>) {
        let count = destination.count
        switch dtype {
        case .float32:
            for i in 0..<count {
                destination[i] = Float(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .float16:
            for i in 0..<count {
                destination[i] = halfToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bfloat16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        case .int8:
            for i in 0..<count { destination[i] = Float(Int8(bitPattern: source[i])) }
        case .int16:
            for i in 0..<count {
                destination[i] = Float(Int16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            }
        case .int32:
            for i in 0..<count {
                destination[i] = Float(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
        }
    }

    /// IEEE half → single, exact for every bit pattern (zeros, subnormals, infinities, NaNs).
    /// Written out by hand because Swift's `Float16` is unavailable on Intel macOS.
    @inline(__always)
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign = UInt32(half & 0x8000) << 16
        let exponent = UInt32(half >> 10) & 0x1F
        let mantissa = UInt32(half & 0x03FF)
        if exponent == 0x1F {
            // Inf / NaN: keep the payload.
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: value = mantissa · 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Maps `url` read-only; a nil base for an empty file.
    private static func map(_ url: URL) throws -> (UnsafeRawPointer?, Int) { try MappedFile.map(url) }
}
