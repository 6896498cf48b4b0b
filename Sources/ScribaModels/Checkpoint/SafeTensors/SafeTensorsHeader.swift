// Parses and validates a safetensors header that lies in mapped memory. Every number the header
// declares is checked against the real file size before it is used, so a damaged or hostile file
// produces a typed ModelLoadError, never an out-of-bounds read or a huge allocation.

import Foundation

struct SafeTensorsHeader {
    var metadata: [String: String]
    var tensors: [String: SafeTensorsFile.TensorInfo]

    static func parse(base: UnsafeRawPointer, fileByteCount: Int, url: URL) throws -> SafeTensorsHeader {
        let declared = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(SafeTensorsFile.maxHeaderByteCount) else {
            throw ModelLoadError.headerTooLarge(url, declared: declared, limit: SafeTensorsFile.maxHeaderByteCount)
        }
        guard declared <= UInt64(fileByteCount - 8) else {
            throw ModelLoadError.headerBeyondFile(url, declared: declared, fileByteCount: fileByteCount)
        }
        let headerCount = Int(declared)
        let dataStart = 8 + headerCount
        let dataByteCount = fileByteCount - dataStart

        let headerBytes = UnsafeBufferPointer(start: (base + 8).assumingMemoryBound(to: UInt8.self), count: headerCount)
        // Decoding with repair and comparing back is a portable strict UTF-8 check: any invalid
        // sequence becomes U+FFFD and the bytes no longer match.
        guard String(decoding: headerBytes, as: UTF8.self).utf8.elementsEqual(headerBytes) else {
            throw ModelLoadError.headerNotUTF8(url)
        }

        let raw: RawHeader
        do {
            let json = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base + 8), count: headerCount, deallocator: .none)
            raw = try JSONDecoder().decode(RawHeader.self, from: json)
        } catch let error as DecodingError {
            throw ModelLoadError.headerNotJSON(url, detail: Self.describe(error))
        } catch {
            throw ModelLoadError.headerNotJSON(url, detail: error.localizedDescription)
        }
        if raw.metadataIsInvalid {
            throw ModelLoadError.malformedHeader(url, detail: "__metadata__ must map strings to strings")
        }

        var tensors: [String: SafeTensorsFile.TensorInfo] = [:]
        tensors.reserveCapacity(raw.entries.count)
        // Sorted so the first error reported does not depend on dictionary order.
        for name in raw.entries.keys.sorted() {
            let info = try validate(name: name, entry: raw.entries[name]!, dataStart: dataStart,
                                    dataByteCount: dataByteCount, url: url)
            tensors[name] = info
        }
        try rejectOverlaps(Array(tensors.values), url: url)
        return SafeTensorsHeader(metadata: raw.metadata, tensors: tensors)
    }

    private static func validate(name: String, entry: RawEntry, dataStart: Int, dataByteCount: Int,
                                 url: URL) throws -> SafeTensorsFile.TensorInfo {
        func invalid(_ detail: String) -> ModelLoadError {
            .tensorEntryInvalid(url, tensor: name, detail: detail)
        }
        if let problem = entry.problem { throw invalid(problem) }
        guard let dtypeName = entry.dtype, let shape = entry.shape, let offsets = entry.offsets else {
            throw invalid("entry is incomplete")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw ModelLoadError.unknownDType(url, tensor: name, dtype: dtypeName)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw invalid("shape \(shape) has a negative dimension") }
        guard offsets.count == 2 else {
            throw invalid("data_offsets has \(offsets.count) numbers, expected 2 (begin, end)")
        }
        let begin = offsets[0], end = offsets[1]
        guard begin >= 0 else { throw invalid("data_offsets begin \(begin) is negative") }
        guard end >= begin else {
            throw ModelLoadError.tensorOffsetsReversed(url, tensor: name, begin: begin, end: end)
        }
        guard end <= dataByteCount else {
            throw ModelLoadError.tensorBeyondFile(url, tensor: name, end: end, dataByteCount: dataByteCount)
        }
        var expected = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("shape \(shape) holds more bytes than can be addressed") }
            expected = product
        }
        guard expected == end - begin else {
            throw ModelLoadError.byteCountMismatch(url, tensor: name, dtype: dtype.rawValue, shape: shape,
                                                   expected: expected, found: end - begin)
        }
        return SafeTensorsFile.TensorInfo(name: name, dtype: dtype, shape: shape,
                                          byteRange: (dataStart + begin)..<(dataStart + end))
    }

    /// Empty tensors own no bytes, so they may sit at any offset.
    private static func rejectOverlaps(_ infos: [SafeTensorsFile.TensorInfo], url: URL) throws {
        let ordered = infos.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw ModelLoadError.tensorsOverlap(url, first: previous.name, second: next.name)
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return underlying.map { "\(context.debugDescription) \($0)" } ?? context.debugDescription
        case .typeMismatch, .valueNotFound, .keyNotFound:
            return "the top level must be an object of tensor entries"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The header as JSON gives it, before validation. Field problems are recorded, not thrown, so that
/// the validator can name the tensor and the file.
private struct RawHeader: Decodable {
    var metadata: [String: String] = [:]
    var metadataIsInvalid = false
    var entries: [String: RawEntry] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NameKey.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                if let map = try? container.decode([String: String].self, forKey: key) {
                    metadata = map
                } else {
                    metadataIsInvalid = true
                }
                continue
            }
            entries[key.stringValue] = RawEntry(container: container, key: key)
        }
    }
}

private struct RawEntry {
    var dtype: String?
    var shape: [Int]?
    var offsets: [Int]?
    var problem: String?

    init(container: KeyedDecodingContainer<NameKey>, key: NameKey) {
        guard let fields = try? container.nestedContainer(keyedBy: FieldKey.self, forKey: key) else {
            problem = "entry is not an object with dtype, shape and data_offsets"
            return
        }
        for field in FieldKey.allCases where !fields.contains(field) {
            problem = "missing \(field.rawValue)"
            return
        }
        dtype = try? fields.decode(String.self, forKey: .dtype)
        shape = try? fields.decode([Int].self, forKey: .shape)
        offsets = try? fields.decode([Int].self, forKey: .dataOffsets)
        if dtype == nil { problem = "dtype is not a string" }
        else if shape == nil { problem = "shape is not an array of integers" }
        else if offsets == nil { problem = "data_offsets is not an array of integers" }
    }

    enum FieldKey: String, CodingKey, CaseIterable {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }
}

private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
