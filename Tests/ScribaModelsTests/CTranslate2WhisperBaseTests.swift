import Foundation
import Testing
@testable import ScribaModels
import ScribaTestSupport

/// The real Whisper base `model.bin` (145 MB, fetched by scripts/fetch-whisper-base). Skipped, with
/// the reason shown, only when the weights are not installed; `.ci/run` fetches them.
enum WhisperBaseLocation {
    static var folder: URL { TestLocations.whisperBase }

    static var isInstalled: Bool { TestLocations.hasWhisperBase }
}

/// `whisper-base.expected.json`: the inventory the fixture script took with numpy.
struct WhisperBaseInventory: Decodable {
    struct Variable: Decodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let value: Int?
    }
    struct Check: Decodable {
        let first8: [Float]
        let last: Float
        let sum_f64: Double
        let abs_sum_f64: Double
    }
    let binary_version: Int
    let spec_name: String
    let spec_revision: Int
    let file_size: Int
    let variable_count: Int
    let variables: [Variable]
    let aliases: [String: String]
    let checks: [String: Check]

    static func load() throws -> WhisperBaseInventory {
        let data = try Data(contentsOf: CT2Fixtures.whisper.appendingPathComponent("whisper-base.expected.json"))
        return try JSONDecoder().decode(WhisperBaseInventory.self, from: data)
    }
}

@Suite(.enabled(if: WhisperBaseLocation.isInstalled, Comment(rawValue: TestLocations.whisperBaseMissing)))
struct CTranslate2WhisperBaseTests {
    @Test func everyVariableIsListedWithItsTypeAndShape() throws {
        let model = try CTranslate2Model(folder: WhisperBaseLocation.folder)
        let expected = try WhisperBaseInventory.load()

        #expect(model.binaryVersion == 6 && expected.binary_version == 6)
        #expect(model.specName == "WhisperSpec")
        #expect(model.specRevision == 3)
        #expect(model.names.count == 212)
        #expect(model.names == expected.variables.map(\.name))
        #expect(model.aliases == ["decoder/projection/weight": "decoder/embeddings/weight"])
        #expect(model.trailingByteCount == 0)
        for variable in expected.variables {
            let info = try model.info(variable.name)
            #expect(info.dtype.description == variable.dtype, "\(variable.name)")
            #expect(info.shape == variable.shape, "\(variable.name)")
            if let value = variable.value {
                #expect(try model.scalarInt(variable.name) == value, "\(variable.name)")
            }
        }
    }

    @Test func keyShapesOfWhisperBase() throws {
        let model = try CTranslate2Model(folder: WhisperBaseLocation.folder)
        let shapes: [String: [Int]] = [
            "encoder/conv1/weight": [512, 80, 3],
            "encoder/conv2/weight": [512, 512, 3],
            "encoder/position_encodings/encodings": [1500, 512],
            "encoder/layer_5/self_attention/linear_0/weight": [1536, 512],
            "decoder/embeddings/weight": [51865, 512],
            "decoder/projection/weight": [51865, 512],
            "decoder/position_encodings/encodings": [448, 512],
            "decoder/layer_0/attention/linear_0/weight": [512, 512],
            "decoder/layer_0/attention/linear_1/weight": [1024, 512],
            "decoder/layer_5/ffn/linear_0/weight": [2048, 512],
        ]
        for (name, shape) in shapes {
            #expect(try model.info(name).shape == shape, "\(name)")
            #expect(try model.info(name).dtype == .float16, "\(name)")
        }
        #expect(try model.scalarInt("encoder/num_heads") == 8)
        #expect(try model.scalarInt("decoder/num_heads") == 8)
        #expect(try model.scalarInt("decoder/activation") == 3)  // CTranslate2 Activation.GELU (erf)
    }

    @Test func convertedValuesMatchNumpy() throws {
        let model = try CTranslate2Model(folder: WhisperBaseLocation.folder)
        let expected = try WhisperBaseInventory.load()
        #expect(expected.checks.count == 4)
        for (name, check) in expected.checks {
            let values = try model.floats(name)
            #expect(Array(values.prefix(8)) == check.first8, "\(name)")
            #expect(values.last == check.last, "\(name)")
            // Summation order differs from numpy's pairwise sum; 1e-9 relative is far above that noise.
            let sum = values.reduce(0.0) { $0 + Double($1) }
            let absSum = values.reduce(0.0) { $0 + Double(abs($1)) }
            #expect(abs(sum - check.sum_f64) <= 1e-9 * check.abs_sum_f64, "\(name)")
            #expect(abs(absSum - check.abs_sum_f64) <= 1e-9 * check.abs_sum_f64, "\(name)")
        }
    }

    /// Whisper's k_proj has no bias; CTranslate2 fuses q,k,v (self-attention) and k,v (cross) and
    /// fills the key part of the fused bias with zeros. The engine may rely on that layout.
    @Test func fusedAttentionBiasesHaveZeroKeyPart() throws {
        let model = try CTranslate2Model(folder: WhisperBaseLocation.folder)
        for layer in 0..<6 {
            for stack in ["encoder", "decoder"] {
                let qkv = try model.floats("\(stack)/layer_\(layer)/self_attention/linear_0/bias")
                #expect(qkv.count == 1536)
                #expect(qkv[512..<1024].allSatisfy { $0 == 0 }, "\(stack) layer \(layer) key bias")
                #expect(qkv[0..<512].contains { $0 != 0 } && qkv[1024..<1536].contains { $0 != 0 })
            }
            let kv = try model.floats("decoder/layer_\(layer)/attention/linear_1/bias")
            #expect(kv.count == 1024)
            #expect(kv[0..<512].allSatisfy { $0 == 0 }, "cross-attention layer \(layer) key bias")
            #expect(kv[512..<1024].contains { $0 != 0 })
        }
    }
}
