import Foundation

/// Everything that can go wrong reading model files (safetensors, CTranslate2, config.json).
/// Each description says what was wrong and what to do about it.
public enum ModelLoadError: Error, Equatable, Sendable {
    case fileMissing(URL)
    case unreadable(URL, reason: String)
    case truncated(URL, detail: String)
    case malformedHeader(URL, detail: String)
    /// The tensor exists but its dtype cannot be converted to what was asked for (e.g. I64 as floats).
    case unsupportedDType(URL, tensor: String, dtype: String)
    case tensorMissing(name: String, in: URL)
    case shapeMismatch(tensor: String, expected: [Int], found: [Int], file: URL)

    // safetensors header validation (SafeTensorsFile)
    /// Fewer than the 8 bytes that hold the header length.
    case fileTooSmall(URL, byteCount: Int)
    /// The declared header length is beyond `SafeTensorsFile.maxHeaderByteCount`.
    case headerTooLarge(URL, declared: UInt64, limit: Int)
    /// The declared header length runs past the end of the file.
    case headerBeyondFile(URL, declared: UInt64, fileByteCount: Int)
    case headerNotUTF8(URL)
    case headerNotJSON(URL, detail: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or one of them has the wrong type.
    case tensorEntryInvalid(URL, tensor: String, detail: String)
    case unknownDType(URL, tensor: String, dtype: String)
    case tensorOffsetsReversed(URL, tensor: String, begin: Int, end: Int)
    case tensorBeyondFile(URL, tensor: String, end: Int, dataByteCount: Int)
    case byteCountMismatch(URL, tensor: String, dtype: String, shape: [Int], expected: Int, found: Int)
    case tensorsOverlap(URL, first: String, second: String)
    case duplicateTensor(URL, name: String)

    // sharded checkpoints (SafeTensorsCheckpoint)
    /// The folder has neither `model.safetensors` nor `model.safetensors.index.json`.
    case checkpointMissing(folder: URL)
    /// Tensors the model's config does not account for (another architecture or a misread config).
    case unexpectedTensors([String], folder: URL)
    /// A data file shipped with Scriba (`ModelResources`) is not beside the binary.
    case resourceMissing(file: String, searched: [String])
    case indexInvalid(URL, detail: String)
    case shardMissing(shard: URL, index: URL)
    /// The index says `name` lives in `shard`, but that shard's header has no such tensor.
    case indexedTensorMissing(name: String, shard: URL, index: URL)

    /// Writing a file failed (SafeTensorsWriter).
    case cannotWrite(URL, reason: String)
}

extension ModelLoadError: LocalizedError, CustomStringConvertible {
    public var description: String {
        let downloadAgain = "Download it again."
        switch self {
        case .fileMissing(let url):
            return "\(url.path): no such file. Check the model folder path, or download the model again."
        case .unreadable(let url, let reason):
            return "\(url.path): cannot be read (\(reason)). Check its permissions."
        case .truncated(let url, let detail):
            return "\(url.lastPathComponent): the file is truncated (\(detail)). The download was probably interrupted; download it again."
        case .malformedHeader(let url, let detail):
            return "\(url.lastPathComponent): not a valid model file (\(detail)). \(downloadAgain)"
        case .unsupportedDType(let url, let tensor, let dtype):
            return "\(url.lastPathComponent): tensor '\(tensor)' has dtype \(dtype), which Scriba cannot read as floats (it converts F32, F16 and BF16). Use a checkpoint saved in one of those."
        case .tensorMissing(let name, let url):
            return "\(url.lastPathComponent): tensor '\(name)' is missing; the checkpoint does not match this model type. Download it again or pick the right model."
        case .shapeMismatch(let tensor, let expected, let found, let file):
            return "\(file.lastPathComponent): '\(tensor)' is \(found), config.json implies \(expected); the folder mixes two model sizes. \(downloadAgain)"

        case .fileTooSmall(let url, let count):
            return "\(url.lastPathComponent): only \(count) bytes, too short for a safetensors file (which starts with an 8-byte header length). The download probably failed; download it again."
        case .headerTooLarge(let url, let declared, let limit):
            return "\(url.lastPathComponent): declares a \(declared)-byte header, more than the \(limit)-byte limit; this is probably not a safetensors file. Check the file name or download it again."
        case .headerBeyondFile(let url, let declared, let size):
            return "\(url.lastPathComponent): declares a \(declared)-byte header but the file has only \(size) bytes. The download was probably interrupted; download it again."
        case .headerNotUTF8(let url):
            return "\(url.lastPathComponent): the safetensors header is not valid UTF-8; the file is damaged. \(downloadAgain)"
        case .headerNotJSON(let url, let detail):
            return "\(url.lastPathComponent): the safetensors header is not a JSON object (\(detail)); the file is damaged. \(downloadAgain)"
        case .tensorEntryInvalid(let url, let tensor, let detail):
            return "\(url.lastPathComponent): header entry for tensor '\(tensor)' is invalid (\(detail)). \(downloadAgain)"
        case .unknownDType(let url, let tensor, let dtype):
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(url.lastPathComponent): tensor '\(tensor)' has unknown dtype '\(dtype)' (known: \(known)). Re-save the checkpoint with a standard dtype."
        case .tensorOffsetsReversed(let url, let tensor, let begin, let end):
            return "\(url.lastPathComponent): tensor '\(tensor)' has data_offsets [\(begin), \(end)] with end before begin; the header is damaged. \(downloadAgain)"
        case .tensorBeyondFile(let url, let tensor, let end, let dataCount):
            return "\(url.lastPathComponent): tensor '\(tensor)' ends at data byte \(end) but the file holds only \(dataCount) data bytes. The download was probably interrupted; download it again."
        case .byteCountMismatch(let url, let tensor, let dtype, let shape, let expected, let found):
            return "\(url.lastPathComponent): tensor '\(tensor)' is \(dtype) \(shape), which needs \(expected) bytes, but its data_offsets span \(found). The file is damaged; download it again."
        case .tensorsOverlap(let url, let first, let second):
            return "\(url.lastPathComponent): tensors '\(first)' and '\(second)' share bytes; the header is damaged. \(downloadAgain)"
        case .duplicateTensor(let url, let name):
            return "\(url.lastPathComponent): tensor name '\(name)' appears twice; names must be unique. Rename one of them."

        case .resourceMissing(let file, let searched):
            return "\(file), a data file that ships with Scriba, was not found in \(searched.joined(separator: ", ")). Keep the Scriba_ScribaModels.resources folder beside the scriba binary when you copy it, or set \(ModelResources.environmentVariable) to a folder that holds \(file)."
        case .unexpectedTensors(let names, let folder):
            let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
            return "\(folder.path): the checkpoint has tensors its config.json does not account for (\(shown)); it is another architecture or its config.json does not belong to these weights. Use the config.json that came with the weights."
        case .checkpointMissing(let folder):
            return "\(folder.path): has neither model.safetensors nor model.safetensors.index.json. Point at the folder that holds the model weights, or download the model again."
        case .indexInvalid(let url, let detail):
            return "\(url.lastPathComponent): not a valid safetensors index (\(detail)). \(downloadAgain)"
        case .shardMissing(let shard, let index):
            return "\(index.lastPathComponent) lists shard \(shard.lastPathComponent), which is not in \(shard.deletingLastPathComponent().path). The download is incomplete; download the missing shard."
        case .indexedTensorMissing(let name, let shard, let index):
            return "\(index.lastPathComponent) places tensor '\(name)' in \(shard.lastPathComponent), but that shard does not hold it; the shards come from different downloads. Download the model again."

        case .cannotWrite(let url, let reason):
            return "\(url.path): cannot be written (\(reason)). Check the folder exists and is writable."
        }
    }
    public var errorDescription: String? { description }
}
