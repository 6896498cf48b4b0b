import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

/// A tiny random Whisper (d 8, 2 heads, 1+1 layers, vocab 64+) written in both layouts: the CTranslate2
/// one in memory (fused q|k|v with zero key bias, as CT2's converter builds it) and the Hugging Face one
/// as a real safetensors file. Both must load and give the same forward pass.
struct WhisperLoaderTests {
    static let d = 8, heads = 2, ffn = 16, mels = 4, vocab = 70, audio = 6, text = 12

    /// Deterministic pseudo-random values in [-0.5, 0.5).
    struct Values {
        var state: UInt64
        mutating func next(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(state >> 40) / Float(1 << 24) - 0.5
            }
        }
    }

    /// HF tensors by name (shape, values).
    static func huggingFaceTensors() -> [(String, [Int], [Float])] {
        var v = Values(state: 7)
        var t: [(String, [Int], [Float])] = []
        func add(_ name: String, _ shape: [Int]) { t.append((name, shape, v.next(shape.reduce(1, *)))) }
        func attention(_ p: String) {
            for proj in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                add("\(p).\(proj).weight", [d, d])
                if proj != "k_proj" { add("\(p).\(proj).bias", [d]) }
            }
        }
        func norm(_ p: String) { add("\(p).weight", [d]); add("\(p).bias", [d]) }
        func ffnBlock(_ p: String) {
            add("\(p).fc1.weight", [ffn, d]); add("\(p).fc1.bias", [ffn])
            add("\(p).fc2.weight", [d, ffn]); add("\(p).fc2.bias", [d])
            norm("\(p).final_layer_norm")
        }
        add("model.encoder.conv1.weight", [d, mels, 3]); add("model.encoder.conv1.bias", [d])
        add("model.encoder.conv2.weight", [d, d, 3]); add("model.encoder.conv2.bias", [d])
        add("model.encoder.embed_positions.weight", [audio, d])
        attention("model.encoder.layers.0.self_attn"); norm("model.encoder.layers.0.self_attn_layer_norm")
        ffnBlock("model.encoder.layers.0")
        norm("model.encoder.layer_norm")
        add("model.decoder.embed_tokens.weight", [vocab, d])
        add("model.decoder.embed_positions.weight", [text, d])
        attention("model.decoder.layers.0.self_attn"); norm("model.decoder.layers.0.self_attn_layer_norm")
        attention("model.decoder.layers.0.encoder_attn"); norm("model.decoder.layers.0.encoder_attn_layer_norm")
        ffnBlock("model.decoder.layers.0")
        norm("model.decoder.layer_norm")
        return t
    }

    /// The same weights under CT2 names, fused by hand.
    struct CT2Memory: WhisperTensorSource {
        var tensors: [String: ([Int], [Float])]
        var url: URL { URL(fileURLWithPath: "/memory/model.bin") }
        func shape(_ name: String) throws -> [Int]? { tensors[name]?.0 }
        func floats(_ name: String) throws -> [Float] {
            guard let t = tensors[name] else { throw ModelLoadError.tensorMissing(name: name, in: url) }
            return t.1
        }
        func scalar(_ name: String) throws -> Int? { name.hasSuffix("num_heads") ? WhisperLoaderTests.heads : nil }
    }

    static func ct2Tensors() -> [String: ([Int], [Float])] {
        let hf = Dictionary(uniqueKeysWithValues: huggingFaceTensors().map { ($0.0, ($0.1, $0.2)) })
        var c: [String: ([Int], [Float])] = [:]
        func copy(_ ct2: String, _ name: String) { c[ct2] = hf[name]! }
        func norm(_ ct2: String, _ name: String) { copy(ct2 + "/gamma", name + ".weight"); copy(ct2 + "/beta", name + ".bias") }
        func linear(_ ct2: String, _ name: String) { copy(ct2 + "/weight", name + ".weight"); copy(ct2 + "/bias", name + ".bias") }
        func fused(_ ct2: String, _ names: [String]) {
            let weights = names.flatMap { hf[$0 + ".weight"]!.1 }
            let biases = names.flatMap { hf[$0 + ".bias"]?.1 ?? [Float](repeating: 0, count: d) }
            c[ct2 + "/weight"] = ([names.count * d, d], weights)
            c[ct2 + "/bias"] = ([names.count * d], biases)
        }
        for (ct2, name) in [("encoder/conv1", "model.encoder.conv1"), ("encoder/conv2", "model.encoder.conv2")] { linear(ct2, name) }
        copy("encoder/position_encodings/encodings", "model.encoder.embed_positions.weight")
        copy("decoder/position_encodings/encodings", "model.decoder.embed_positions.weight")
        copy("decoder/embeddings/weight", "model.decoder.embed_tokens.weight")
        norm("encoder/layer_norm", "model.encoder.layer_norm")
        norm("decoder/layer_norm", "model.decoder.layer_norm")
        for side in ["encoder", "decoder"] {
            let p = "\(side)/layer_0", h = "model.\(side).layers.0"
            norm("\(p)/self_attention/layer_norm", "\(h).self_attn_layer_norm")
            fused("\(p)/self_attention/linear_0", ["\(h).self_attn.q_proj", "\(h).self_attn.k_proj", "\(h).self_attn.v_proj"])
            linear("\(p)/self_attention/linear_1", "\(h).self_attn.out_proj")
            norm("\(p)/ffn/layer_norm", "\(h).final_layer_norm")
            linear("\(p)/ffn/linear_0", "\(h).fc1")
            linear("\(p)/ffn/linear_1", "\(h).fc2")
        }
        let h = "model.decoder.layers.0"
        norm("decoder/layer_0/attention/layer_norm", "\(h).encoder_attn_layer_norm")
        linear("decoder/layer_0/attention/linear_0", "\(h).encoder_attn.q_proj")
        fused("decoder/layer_0/attention/linear_1", ["\(h).encoder_attn.k_proj", "\(h).encoder_attn.v_proj"])
        linear("decoder/layer_0/attention/linear_2", "\(h).encoder_attn.out_proj")
        return c
    }

    static func writeHuggingFaceFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-whisper-hf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let entries: [SafeTensorsWriter.Entry] = huggingFaceTensors().map { name, shape, values in
            (name: name, dtype: .f32, shape: shape, data: values.withUnsafeBytes { Data($0) })
        }
        try SafeTensorsWriter.write(tensors: entries, to: folder.appendingPathComponent("model.safetensors"))
        let config = #"{"encoder_attention_heads": 2, "decoder_attention_heads": 2}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        let generation = #"{"alignment_heads": [[0, 1]], "suppress_tokens": [1, 2], "begin_suppress_tokens": [3]}"#
        try Data(generation.utf8).write(to: folder.appendingPathComponent("generation_config.json"))
        return folder
    }

    /// Encoder on a fixed mel, then a 3-token prefill and one cached step; returns encoder output and logits.
    static func forward(_ model: WhisperModel) throws -> (encoder: [Float], logits: [Float]) {
        let session = WhisperSession(model: model)
        var v = Values(state: 99)
        let mel = v.next(mels * 2 * audio)
        mel.withUnsafeBufferPointer { session.encode(mel: $0.baseAddress!) }
        let encoder = Array(UnsafeBufferPointer(start: session.encoderOutput, count: audio * d))
        try [5, 17, 42].withUnsafeBufferPointer { try session.decode($0) }
        try [9].withUnsafeBufferPointer { try session.decode($0) }
        session.computeLogits(firstRow: 0, count: 1)
        return (encoder, Array(UnsafeBufferPointer(start: session.logits, count: vocab)))
    }

    @Test func huggingFaceAndCTranslate2LayoutsGiveTheSameForwardPass() throws {
        let folder = try Self.writeHuggingFaceFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hf = try WhisperModel(folder: folder, precision: .f32)
        let constants = WhisperDecodingConstants(alignmentHeads: [[0, 1]], languageIDs: [], suppressIDs: [1, 2], suppressIDsBegin: [3])
        let ct2 = try WhisperModel(source: CT2Memory(tensors: Self.ct2Tensors()), constants: constants)
        #expect(hf.config == ct2.config)
        #expect(hf.config.modelDim == 8 && hf.config.encoderHeads == 2 && hf.config.vocabularySize == 70)
        #expect(hf.config.alignmentHeads == [WhisperAlignmentHead(layer: 0, head: 1)])
        let a = try Self.forward(hf), b = try Self.forward(ct2)
        #expect(a.encoder == b.encoder)
        #expect(a.logits == b.logits)
        // Not a degenerate pass: the logits vary.
        #expect(Set(a.logits).count > 60)
    }

    @Test func aMissingTensorIsNamed() throws {
        var tensors = Self.ct2Tensors()
        tensors["decoder/layer_0/attention/linear_2/bias"] = nil
        let constants = WhisperDecodingConstants(alignmentHeads: [], languageIDs: [], suppressIDs: [], suppressIDsBegin: [])
        #expect(throws: ModelLoadError.tensorMissing(name: "decoder/layer_0/attention/linear_2/bias",
                                                     in: URL(fileURLWithPath: "/memory/model.bin"))) {
            try WhisperModel(source: CT2Memory(tensors: tensors), constants: constants)
        }
    }

    @Test func aWrongShapeIsNamedWithBothShapes() throws {
        var tensors = Self.ct2Tensors()
        tensors["encoder/layer_0/ffn/linear_1/weight"] = ([Self.d, Self.ffn - 1], [Float](repeating: 0, count: Self.d * (Self.ffn - 1)))
        let constants = WhisperDecodingConstants(alignmentHeads: [], languageIDs: [], suppressIDs: [], suppressIDsBegin: [])
        do {
            _ = try WhisperModel(source: CT2Memory(tensors: tensors), constants: constants)
            Issue.record("loading a wrong shape succeeded")
        } catch let error as ModelLoadError {
            #expect(error == .shapeMismatch(tensor: "encoder/layer_0/ffn/linear_1/weight", expected: [8, 16], found: [8, 15],
                                            file: URL(fileURLWithPath: "/memory/model.bin")))
            #expect(error.description.contains("encoder/layer_0/ffn/linear_1/weight"))
        }
    }

    @Test func aMissingHuggingFaceTensorIsNamedByItsHuggingFaceName() throws {
        let folder = try Self.writeHuggingFaceFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let entries: [SafeTensorsWriter.Entry] = Self.huggingFaceTensors()
            .filter { $0.0 != "model.decoder.layers.0.encoder_attn.v_proj.weight" }
            .map { (name: $0.0, dtype: .f32, shape: $0.1, data: $0.2.withUnsafeBytes { Data($0) }) }
        try SafeTensorsWriter.write(tensors: entries, to: folder.appendingPathComponent("model.safetensors"))
        #expect(throws: ModelLoadError.tensorMissing(name: "model.decoder.layers.0.encoder_attn.v_proj.weight", in: folder)) {
            try WhisperModel(folder: folder)
        }
    }

    @Test func configValidationRejectsHeadsThatDoNotDivideTheWidth() {
        let config = WhisperConfig(melBins: 80, modelDim: 512, encoderLayers: 1, decoderLayers: 1, encoderHeads: 7, decoderHeads: 8,
                                   ffnDim: 2048, vocabularySize: 100, audioPositions: 1500, textPositions: 448,
                                   alignmentHeads: [], languageIDs: [], suppressIDs: [], suppressIDsBegin: [])
        #expect(throws: WhisperError.self) { try config.validate() }
        var fine = config
        fine.encoderHeads = 8
        #expect(throws: Never.self) { try fine.validate() }
        fine.alignmentHeads = [WhisperAlignmentHead(layer: 1, head: 0)]
        #expect(throws: WhisperError.invalidConfig("alignment head [1, 0] is outside 1 layers × 8 heads")) { try fine.validate() }
    }
}
