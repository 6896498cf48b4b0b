// Header walk of a CTranslate2 `model.bin` (layout in CTranslate2Model.swift). Reads only the
// metadata and records where each variable's data lies; checks every length against the bytes
// left before trusting it.

import Foundation

struct CTranslate2Header {
    var binaryVersion = 0
    var specName = ""
    var specRevision = 1
    var names: [String] = []
    var variables: [String: CTranslate2VariableInfo] = [:]
    var aliases: [String: String] = [:]
    var trailingByteCount = 0
}

struct CTranslate2Parser {
    /// Smallest possible variable record: u16 name length, 1 name byte, u8 rank, u8 dtype,
    /// u32 byte count. Caps `reserveCapacity` so a corrupt count cannot allocate gigabytes.
    private static let minimumVariableBytes = 9
    /// u16 + 1 byte, twice.
    private static let minimumAliasBytes = 6

    private let bytes: UnsafeRawBufferPointer
    private let url: URL
    private var offset = 0

    init(bytes: UnsafeRawBufferPointer, url: URL) {
        self.bytes = bytes
        self.url = url
    }

    private var remaining: Int { bytes.count - offset }

    mutating func parse() throws -> CTranslate2Header {
        var header = CTranslate2Header()
        let version = try u32("the binary version")
        guard version >= 1 && version <= CTranslate2Model.maxBinaryVersion else {
            throw ModelLoadError.malformedHeader(url, detail: "binary version \(version) is not 1…\(CTranslate2Model.maxBinaryVersion); "
                + "the file is not a CTranslate2 model or was written by a newer CTranslate2")
        }
        header.binaryVersion = Int(version)
        if version >= 2 {
            header.specName = try string("the model spec name")
            header.specRevision = Int(try u32("the spec revision"))
        }

        let count = Int(try u32("the variable count"))
        header.names.reserveCapacity(min(count, remaining / Self.minimumVariableBytes))
        header.variables.reserveCapacity(min(count, remaining / Self.minimumVariableBytes))
        for index in 0..<count {
            let info = try variable(index: index, of: count, version: header.binaryVersion)
            guard header.variables.updateValue(info, forKey: info.name) == nil else {
                throw ModelLoadError.malformedHeader(url, detail: "variable '\(info.name)' is stored twice")
            }
            header.names.append(info.name)
        }

        if version >= 3 {
            let aliasCount = Int(try u32("the alias count"))
            header.aliases.reserveCapacity(min(aliasCount, remaining / Self.minimumAliasBytes))
            for index in 0..<aliasCount {
                let place = "alias \(index + 1) of \(aliasCount)"
                let alias = try string("the name of \(place)")
                let target = try string("the target of \(place) ('\(alias)')")
                guard header.variables[target] != nil else {
                    throw ModelLoadError.malformedHeader(url, detail: "alias '\(alias)' points to '\(target)', which is not stored")
                }
                guard header.variables[alias] == nil, header.aliases.updateValue(target, forKey: alias) == nil else {
                    throw ModelLoadError.malformedHeader(url, detail: "alias '\(alias)' is defined twice")
                }
            }
        }
        header.trailingByteCount = remaining
        return header
    }

    private mutating func variable(index: Int, of count: Int, version: Int) throws -> CTranslate2VariableInfo {
        let place = "variable \(index + 1) of \(count)"
        let name = try string("the name of \(place)")
        let label = "\(place) ('\(name)')"
        let rank = Int(try u8("the rank of \(label)"))
        try need(4 * rank, "the \(rank) dimensions of \(label)")
        var shape: [Int] = []
        shape.reserveCapacity(rank)
        for _ in 0..<rank { shape.append(Int(try u32("a dimension of \(label)"))) }

        let dtype: CTranslate2DType
        let byteCount: Int
        if version >= 4 {
            let id = try u8("the dtype of \(label)")
            guard let known = CTranslate2DType(rawValue: id) else {
                throw ModelLoadError.unsupportedDType(url, tensor: name, dtype: "CTranslate2 type id \(id)")
            }
            dtype = known
            byteCount = Int(try u32("the byte count of \(label)"))
        } else {
            let itemSize = try u8("the item size of \(label)")
            guard let known = CTranslate2DType.legacy(itemSize: itemSize) else {
                throw ModelLoadError.unsupportedDType(url, tensor: name, dtype: "item size \(itemSize)")
            }
            dtype = known
            let elements = Int(try u32("the element count of \(label)"))
            byteCount = elements * Int(itemSize)  // ≤ 2^32 · 4, no overflow in Int64
        }

        // Overflow-checked: 255 dimensions of up to 2^32 - 1 each can overflow Int.
        var expected = dtype.byteWidth
        for dimension in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw ModelLoadError.malformedHeader(url, detail: "\(label) has shape \(shape), too large to address")
            }
            expected = product
        }
        guard byteCount == expected else {
            throw ModelLoadError.malformedHeader(url, detail: "\(label) declares \(byteCount) bytes, but shape \(shape) of \(dtype) needs \(expected)")
        }
        try need(byteCount, "the data of \(label)")
        let info = CTranslate2VariableInfo(name: name, dtype: dtype, shape: shape, byteOffset: offset, byteCount: byteCount)
        offset += byteCount
        return info
    }

    private func need(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count <= remaining else {
            throw ModelLoadError.truncated(url, detail: "\(what()) needs \(count) byte\(count == 1 ? "" : "s") at offset \(offset), only \(remaining) left")
        }
    }

    private mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 {
        try need(1, what())
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func u16(_ what: @autoclosure () -> String) throws -> UInt16 {
        try need(2, what())
        defer { offset += 2 }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    private mutating func u32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try need(4, what())
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// u16 length including the trailing NUL, then the bytes. Like CTranslate2 (which builds a
    /// std::string from a C string) the text ends at the first NUL.
    private mutating func string(_ what: @autoclosure () -> String) throws -> String {
        let length = Int(try u16("the length of \(what())"))
        guard length > 0 else {
            throw ModelLoadError.malformedHeader(url, detail: "\(what()) has length 0 at offset \(offset - 2); strings end with a NUL, so the length is at least 1")
        }
        try need(length, what())
        let raw = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        offset += length
        let text = raw.prefix { $0 != 0 }
        guard let string = String(validating: text, as: UTF8.self) else {
            throw ModelLoadError.malformedHeader(url, detail: "\(what()) at offset \(offset - length) is not UTF-8")
        }
        return string
    }
}
