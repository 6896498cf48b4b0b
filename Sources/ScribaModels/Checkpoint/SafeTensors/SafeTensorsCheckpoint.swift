// A Hugging Face model folder's weights: either one `model.safetensors`, or shards listed by
// `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor name: shard file}}`,
// as transformers writes it). Every shard is opened (mapped) once at init and the index is checked
// against the shards' headers then, so a broken download fails at load, not mid-inference.

import Foundation
import ScribaTensor

public final class SafeTensorsCheckpoint: Sendable {
    public static let singleFileName = "model.safetensors"
    public static let indexFileName = "model.safetensors.index.json"

    public let folder: URL
    /// The opened files: one, or each distinct shard in name order.
    public let files: [SafeTensorsFile]
    /// All tensor names, sorted (for shards: the names the index lists).
    public let names: [String]
    /// Tensor name → index into `files`.
    private let location: [String: Int]

    public init(folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw ModelLoadError.fileMissing(folder)
        }
        guard isDirectory.boolValue else {
            throw ModelLoadError.unreadable(folder, reason: "not a folder; pass the model folder")
        }
        let single = folder.appendingPathComponent(Self.singleFileName)
        let index = folder.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            let file = try SafeTensorsFile(url: single)
            files = [file]
            location = Dictionary(uniqueKeysWithValues: file.names.map { ($0, 0) })
        } else if FileManager.default.fileExists(atPath: index.path) {
            (files, location) = try Self.openShards(index: index, folder: folder)
        } else {
            throw ModelLoadError.checkpointMissing(folder: folder)
        }
        self.folder = folder
        names = location.keys.sorted()
    }

    public func contains(_ name: String) -> Bool { location[name] != nil }

    /// The file that holds `name`.
    public func file(containing name: String) throws -> SafeTensorsFile {
        guard let position = location[name] else { throw ModelLoadError.tensorMissing(name: name, in: folder) }
        return files[position]
    }

    public func info(_ name: String) throws -> SafeTensorsFile.TensorInfo {
        try file(containing: name).info(name)
    }

    public func floats(_ name: String) throws -> [Float] {
        try file(containing: name).floats(name)
    }

    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try file(containing: name).copyFloats(name, into: destination)
    }

    public func tensor(_ name: String) throws -> Tensor {
        try file(containing: name).tensor(name)
    }

    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try file(containing: name).withRawBytes(name, body)
    }

    private struct Index: Decodable {
        let weightMap: [String: String]
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }

    private static func openShards(index: URL, folder: URL) throws -> ([SafeTensorsFile], [String: Int]) {
        let weightMap: [String: String]
        do {
            weightMap = try JSONDecoder().decode(Index.self, from: Data(contentsOf: index)).weightMap
        } catch let error as DecodingError {
            let detail: String
            switch error {
            case .keyNotFound: detail = "no weight_map"
            case .typeMismatch: detail = "weight_map must map tensor names to shard file names"
            default: detail = "not JSON"
            }
            throw ModelLoadError.indexInvalid(index, detail: detail)
        } catch {
            throw ModelLoadError.unreadable(index, reason: error.localizedDescription)
        }

        let shardNames = Set(weightMap.values).sorted()
        guard !shardNames.isEmpty else { throw ModelLoadError.indexInvalid(index, detail: "weight_map is empty") }
        var files: [SafeTensorsFile] = []
        var position: [String: Int] = [:]
        for shardName in shardNames {
            // Shards are plain file names beside the index; anything else could reach outside the folder.
            guard !shardName.isEmpty, !shardName.contains("/"), shardName != "..", shardName != "." else {
                throw ModelLoadError.indexInvalid(index, detail: "shard name '\(shardName)' is not a file name in the folder")
            }
            let shard = folder.appendingPathComponent(shardName)
            guard FileManager.default.fileExists(atPath: shard.path) else {
                throw ModelLoadError.shardMissing(shard: shard, index: index)
            }
            position[shardName] = files.count
            files.append(try SafeTensorsFile(url: shard))
        }

        var location: [String: Int] = [:]
        for name in weightMap.keys.sorted() {
            let shard = position[weightMap[name]!]!
            guard files[shard].contains(name) else {
                throw ModelLoadError.indexedTensorMissing(name: name, shard: files[shard].url, index: index)
            }
            location[name] = shard
        }
        return (files, location)
    }
}
