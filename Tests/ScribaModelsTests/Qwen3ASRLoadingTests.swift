import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels

// Broken model folders fail at load with a typed error that names the problem.

struct Qwen3ASRLoadingTests {
    @Test func missingShardIsNamed() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-sharded")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shard = folder.appendingPathComponent("model-00002-of-00003.safetensors")
        try FileManager.default.removeItem(at: shard)
        let error = #expect(throws: ModelLoadError.self) { try Qwen3ASR(folder: folder) }
        guard case .shardMissing(let missing, _) = error else {
            Issue.record("expected shardMissing, got \(String(describing: error))")
            return
        }
        #expect(missing.lastPathComponent == "model-00002-of-00003.safetensors")
        #expect(error?.description.contains("model-00002-of-00003.safetensors") == true)
    }

    @Test func wrongTensorShapeNamesTensorAndBothShapes() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-bf16")
        defer { try? FileManager.default.removeItem(at: folder) }
        // 16 conv channels in config.json against the file's 8: the first audio tensor disagrees.
        try Qwen3Fixtures.editConfig(in: folder) { root in
            var thinker = root["thinker_config"] as? [String: Any] ?? [:]
            var audio = thinker["audio_config"] as? [String: Any] ?? [:]
            audio["downsample_hidden_size"] = 16
            thinker["audio_config"] = audio
            root["thinker_config"] = thinker
        }
        let error = #expect(throws: ModelLoadError.self) { try Qwen3ASR(folder: folder) }
        #expect(error == .shapeMismatch(tensor: "thinker.audio_tower.conv2d1.weight", expected: [16, 1, 3, 3], found: [8, 1, 3, 3],
                                        file: folder.appendingPathComponent("model.safetensors")))
        let text = error?.description ?? ""
        #expect(text.contains("thinker.audio_tower.conv2d1.weight") && text.contains("[16, 1, 3, 3]") && text.contains("[8, 1, 3, 3]"))
    }

    @Test func unsupportedDTypeIsNamed() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-bf16")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Rewrite the checkpoint with one tensor stored as I32 (same shape).
        let source = try SafeTensorsFile(url: folder.appendingPathComponent("model.safetensors"))
        var entries: [SafeTensorsWriter.Entry] = []
        for name in source.names {
            let info = try source.info(name)
            let data = try source.withRawBytes(name) { Data($0) }
            if name == "thinker.model.norm.weight" {
                entries.append((name, .i32, info.shape, Data(count: info.elementCount * 4)))
            } else {
                entries.append((name, info.dtype, info.shape, data))
            }
        }
        let url = folder.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: url)
        try SafeTensorsWriter.write(tensors: entries, to: url)
        let error = #expect(throws: ModelLoadError.self) { try Qwen3ASR(folder: folder) }
        #expect(error == .unsupportedDType(url, tensor: "thinker.model.norm.weight", dtype: "I32"))
    }

    @Test func missingTokenizerIsATokenizerError() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("vocab.json"))
        let error = #expect(throws: TokenizerError.self) { try Qwen3ASR(folder: folder) }
        guard case .filesMissing(let where_, let lookedFor) = error else {
            Issue.record("expected filesMissing, got \(String(describing: error))")
            return
        }
        #expect(where_.path == folder.path && lookedFor.contains { $0.contains("vocab.json") })
    }

    @Test func missingConfigIsNamed() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        try FileManager.default.removeItem(at: config)
        #expect(throws: ModelLoadError.fileMissing(config)) { try Qwen3ASR(folder: folder) }
    }

    @Test func missingConfigKeyIsNamed() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Qwen3Fixtures.editConfig(in: folder) { root in
            var thinker = root["thinker_config"] as? [String: Any] ?? [:]
            var text = thinker["text_config"] as? [String: Any] ?? [:]
            text.removeValue(forKey: "hidden_size")
            thinker["text_config"] = text
            root["thinker_config"] = thinker
        }
        let error = #expect(throws: Qwen3ASRError.self) { try Qwen3ASRConfig.load(folder: folder) }
        #expect(error?.description.contains("thinker_config.text_config.hidden_size") == true, "\(String(describing: error))")
    }

    @Test func unreleasedChunkSizeIsRejected() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Qwen3Fixtures.editConfig(in: folder) { root in
            var thinker = root["thinker_config"] as? [String: Any] ?? [:]
            var audio = thinker["audio_config"] as? [String: Any] ?? [:]
            audio["n_window"] = 100
            thinker["audio_config"] = audio
            root["thinker_config"] = thinker
        }
        #expect(throws: Qwen3ASRError.configUnsupported(folder.appendingPathComponent("config.json"),
                                                        key: "thinker_config.audio_config.n_window", value: "100", supported: "50")) {
            try Qwen3ASRConfig.load(folder: folder)
        }
    }

    @Test func otherRopeTypesAreRejected() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Qwen3Fixtures.editConfig(in: folder) { root in
            var thinker = root["thinker_config"] as? [String: Any] ?? [:]
            var text = thinker["text_config"] as? [String: Any] ?? [:]
            text["rope_scaling"] = ["rope_type": "yarn", "factor": 4.0]
            thinker["text_config"] = text
            root["thinker_config"] = thinker
        }
        let error = #expect(throws: Qwen3ASRError.self) { try Qwen3ASRConfig.load(folder: folder) }
        #expect(error?.description.contains("rope_type") == true && error?.description.contains("yarn") == true)
    }

    @Test func untiedHeadWithoutLMHeadIsMissingTensor() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Qwen3Fixtures.editConfig(in: folder) { root in
            var thinker = root["thinker_config"] as? [String: Any] ?? [:]
            var text = thinker["text_config"] as? [String: Any] ?? [:]
            text["tie_word_embeddings"] = false
            thinker["text_config"] = text
            root["thinker_config"] = thinker
        }
        #expect(throws: ModelLoadError.tensorMissing(name: "thinker.lm_head.weight", in: folder)) { try Qwen3ASR(folder: folder) }
    }

    @Test func alignerFolderIsNotARecognizer() throws {
        let model = try Qwen3ASR(folder: Qwen3Fixtures.url("aligner-tiny-bf16"))
        #expect(model.config.headRows == 500)
        #expect(throws: Qwen3ASRError.self) { try model.transcribe(mel: Tensor(zeros: [128, 10])) }
    }
}

/// A tensor the config does not account for is another architecture: loading names it and stops.
struct Qwen3UnexpectedTensorTests {
    @Test func anExtraBiasIsNamed() throws {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let source = try SafeTensorsFile(url: url)
        var entries: [SafeTensorsWriter.Entry] = try source.names.map { name in
            let info = try source.info(name)
            return (name, info.dtype, info.shape, try source.withRawBytes(name) { Data($0) })
        }
        // q_proj with a bias: a checkpoint of another attention_bias setting.
        entries.append(("thinker.model.layers.0.self_attn.q_proj.bias", .f32, [64], Data(count: 64 * 4)))
        try FileManager.default.removeItem(at: url)
        try SafeTensorsWriter.write(tensors: entries, to: url)
        let error = #expect(throws: ModelLoadError.self) { try Qwen3ASR(folder: folder) }
        #expect(error == .unexpectedTensors(["thinker.model.layers.0.self_attn.q_proj.bias"], folder: folder))
        #expect(error?.description.contains("thinker.model.layers.0.self_attn.q_proj.bias") == true)
    }
}
