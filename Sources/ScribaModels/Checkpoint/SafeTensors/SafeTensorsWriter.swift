// Writes a .safetensors file the reference reader (safetensors 0.8) accepts: JSON header padded with
// spaces to a multiple of 8 bytes as the reference does (so the data section is 8-byte aligned),
// tensors laid out back to back in the order given. Used by tests and fixture tools; the file is
// written to a temporary name in the same folder and renamed, so a reader never sees half a file.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum SafeTensorsWriter {
    /// One tensor to write: `data` holds exactly product(shape) × dtype.byteSize little-endian bytes.
    public typealias Entry = (name: String, dtype: DType, shape: [Int], data: Data)

    public static func write(tensors: [Entry], metadata: [String: String]? = nil, to url: URL) throws {
        let header = try headerBytes(tensors: tensors, metadata: metadata, url: url)

        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ModelLoadError.cannotWrite(url, reason: "cannot create a file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            var length = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: header)
            for tensor in tensors where !tensor.data.isEmpty {
                try handle.write(contentsOf: tensor.data)
            }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelLoadError.cannotWrite(url, reason: error.localizedDescription)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ModelLoadError.cannotWrite(url, reason: reason)
        }
    }

    /// The JSON header including its space padding.
    static func headerBytes(tensors: [Entry], metadata: [String: String]?, url: URL) throws -> Data {
        var object: [String: Any] = [:]
        if let metadata { object["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            guard object[tensor.name] == nil, tensor.name != "__metadata__" else {
                throw ModelLoadError.duplicateTensor(url, name: tensor.name)
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw ModelLoadError.tensorEntryInvalid(url, tensor: tensor.name,
                                                        detail: "shape \(tensor.shape) has a negative dimension")
            }
            let expected = tensor.shape.reduce(tensor.dtype.byteSize, *)
            guard expected == tensor.data.count else {
                throw ModelLoadError.byteCountMismatch(url, tensor: tensor.name, dtype: tensor.dtype.rawValue,
                                                       shape: tensor.shape, expected: expected, found: tensor.data.count)
            }
            object[tensor.name] = [
                "dtype": tensor.dtype.rawValue,
                "shape": tensor.shape,
                "data_offsets": [offset, offset + expected],
            ] as [String: Any]
            offset += expected
        }
        var json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        json.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        return json
    }
}
