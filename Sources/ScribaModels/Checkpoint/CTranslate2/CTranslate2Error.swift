import Foundation

/// Misuse of a well-formed CTranslate2 model: asking a variable for a type it does not hold.
/// File damage is reported through `ModelLoadError` instead.
public enum CTranslate2Error: Error, Equatable, Sendable {
    case dtypeMismatch(variable: String, requested: String, found: CTranslate2DType, file: URL)
    case notAScalar(variable: String, shape: [Int], file: URL)
}

extension CTranslate2Error: LocalizedError, CustomStringConvertible {
    public var description: String {
        switch self {
        case .dtypeMismatch(let variable, let requested, let found, let file):
            return "\(file.lastPathComponent): '\(variable)' holds \(found), not \(requested). The model was converted with another quantization than this loader expects; convert it with float16 or float32 weights."
        case .notAScalar(let variable, let shape, let file):
            return "\(file.lastPathComponent): '\(variable)' has shape \(shape), expected a scalar. The file does not match this model type; download it again."
        }
    }
    public var errorDescription: String? { description }
}
