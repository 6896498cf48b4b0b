import Foundation
import ScribaParity
import ScribaTensor
@testable import ScribaModels
import ScribaTestSupport

/// Tests/Fixtures/qwen3 (see Tests/Fixtures/README.md): tiny checkpoints and what the official
/// qwen-asr 0.0.6 code computed from them.
enum Qwen3Fixtures {
    static let directory = TestLocations.fixtures.appendingPathComponent("qwen3")

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// Raw little-endian float32 file.
    static func floats(_ relative: String) throws -> [Float] {
        let data = try Data(contentsOf: url(relative))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    nonisolated(unsafe) static let asrReference: [String: Any] = (try? json("asr_reference.json")) ?? [:]

    static func clip(_ name: String) -> [String: Any] {
        ((asrReference["clips"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    /// The reference entry for clip × variant (f32/bf16) × mode (forced/auto).
    static func mode(_ clipName: String, _ variant: String, _ mode: String) -> [String: Any] {
        ((clip(clipName)[variant] as? [String: Any])?[mode] as? [String: Any]) ?? [:]
    }

    static func ints(_ value: Any?) -> [Int] { (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? [] }

    /// Reference features of a clip as [128, frames].
    static func features(_ clipName: String) throws -> Tensor {
        let info = clip(clipName)
        let shape = ints(info["features_file_shape"])
        return Tensor(shape: shape, data: try floats(info["features_file"] as? String ?? ""))
    }

    static func model(_ variant: String) throws -> Qwen3ASR {
        try Qwen3ASR(folder: url("asr-tiny-\(variant)"))
    }

    /// max|a − b| / max|b|.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count, !b.isEmpty else { return .infinity }
        return relativeMaxError(a[...], b[...])
    }

    /// A writable copy of a fixture folder in a fresh temp directory.
    static func temporaryCopy(of folder: String) throws -> URL {
        let destination = FileManager.default.temporaryDirectory
            .appendingPathComponent("qwen3-test-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: url(folder), to: destination)
        return destination
    }

    /// Edits config.json of `folder` as a JSON object.
    static func editConfig(in folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let configURL = folder.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] ?? [:]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: configURL)
    }
}
