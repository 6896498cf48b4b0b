import Foundation

/// Everything that can go wrong reading model files (safetensors, CTranslate2, config.json).
/// Each description says what was wrong and what to do about it.
public enum ModelLoadError: Error, Equatable, Sendable {
    case fileMissing(URL)
    case unreadable(URL, reason: String)
    case truncated(URL, detail: String)
    case malformedHeader(URL, detail: String)
    case unsupportedDType(URL, tensor: String, dtype: String)
    case tensorMissing(name: String, in: URL)
    case shapeMismatch(tensor: String, expected: [Int], found: [Int], file: URL)
}

extension ModelLoadError: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .fileMissing(let url):
            return "\(url.path): no such file. Check the model folder path, or download the model again."
        case .unreadable(let url, let reason):
            return "\(url.path): cannot be read (\(reason)). Check its permissions."
        case .truncated(let url, let detail):
            return "\(url.lastPathComponent): the file is truncated (\(detail)). The download was probably interrupted; download it again."
        case .malformedHeader(let url, let detail):
            return "\(url.lastPathComponent): not a valid model file (\(detail)). Download it again."
        case .unsupportedDType(let url, let tensor, let dtype):
            return "\(url.lastPathComponent): tensor '\(tensor)' has dtype \(dtype), which Scriba cannot read (it reads F32, F16, BF16, I8, U8)."
        case .tensorMissing(let name, let url):
            return "\(url.lastPathComponent): tensor '\(name)' is missing; the checkpoint does not match this model type. Download it again or pick the right model."
        case .shapeMismatch(let tensor, let expected, let found, let file):
            return "\(file.lastPathComponent): '\(tensor)' is \(found), config.json implies \(expected); the folder mixes two model sizes. Download it again."
        }
    }
    public var errorDescription: String? { description }
}
