import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels
import ScribaTestSupport

// Model files whose contents lie about themselves. Each is made by copying a real
// checkpoint — the tiny Qwen3-ASR fixture, or the Whisper base CTranslate2 model when cached — into
// a temp folder and damaging one thing. Loading must fail with a typed error whose description
// names the file and, where there is one, the tensor; never a crash or a large allocation.

struct ModelFilesThatLieTests {
    static let weightsFile = "model.safetensors"
    static let firstAudioTensor = "thinker.audio_tower.conv2d1.weight"

    /// The tiny f32 Qwen3-ASR folder, copied; `damage` edits the copy.
    func loadDamagedQwen3(_ damage: (URL) throws -> Void) throws -> any Error {
        let folder = try Qwen3Fixtures.temporaryCopy(of: "asr-tiny-f32")
        defer { try? FileManager.default.removeItem(at: folder) }
        try damage(folder)
        do {
            _ = try Qwen3ASR(folder: folder)
        } catch {
            return error
        }
        throw LieNotDetected()
    }

    struct LieNotDetected: Error {}

    /// Rewrites model.safetensors with `edit` applied to its tensor list.
    func rewriteTensors(in folder: URL, _ edit: (inout [SafeTensorsWriter.Entry]) -> Void) throws {
        let url = folder.appendingPathComponent(Self.weightsFile)
        let file = try SafeTensorsFile(url: url)
        var entries: [SafeTensorsWriter.Entry] = try file.names.map { name in
            let info = try file.info(name)
            let data = try file.withRawBytes(name) { Data($0) }
            return (name, info.dtype, info.shape, data)
        }
        edit(&entries)
        try SafeTensorsWriter.write(tensors: entries, to: url)
    }

    @Test(arguments: [0.5, 0.9, 0.9999])
    func truncatedSafetensorsNamesFileAndTensor(keptFraction: Double) throws {
        var droppedBytes = 0
        let error = try loadDamagedQwen3 { folder in
            let url = folder.appendingPathComponent(Self.weightsFile)
            let data = try Data(contentsOf: url)
            let kept = Int(Double(data.count) * keptFraction)
            droppedBytes = data.count - kept
            try data.prefix(kept).write(to: url)
        }
        #expect(droppedBytes > 0)
        guard let error = error as? ModelLoadError, case .tensorBeyondFile(let url, let tensor, let end, let available) = error else {
            Issue.record("expected tensorBeyondFile, got \(error)")
            return
        }
        #expect(url.lastPathComponent == Self.weightsFile)
        #expect(end > available)
        #expect(error.description.contains(Self.weightsFile) && error.description.contains("'\(tensor)'"))
    }

    @Test func tensorShapeDisagreeingWithConfigIsNamed() throws {
        // The file's first conv is [8,1,3,3]; a [4,1,3,3] tensor in its place contradicts config.json.
        let error = try loadDamagedQwen3 { folder in
            try rewriteTensors(in: folder) { entries in
                let index = entries.firstIndex { $0.name == Self.firstAudioTensor }!
                entries[index].shape = [4, 1, 3, 3]
                entries[index].data = entries[index].data.prefix(4 * 9 * 4)
            }
        }
        guard let error = error as? ModelLoadError, case .shapeMismatch(let tensor, let expected, let found, let file) = error else {
            Issue.record("expected shapeMismatch, got \(error)")
            return
        }
        #expect(tensor == Self.firstAudioTensor && expected == [8, 1, 3, 3] && found == [4, 1, 3, 3])
        #expect(file.lastPathComponent == Self.weightsFile)
        #expect(error.description.contains(Self.weightsFile) && error.description.contains(Self.firstAudioTensor))
    }

    @Test func missingTensorIsNamed() throws {
        let removed = "thinker.model.layers.0.self_attn.o_proj.weight"
        let error = try loadDamagedQwen3 { folder in
            try rewriteTensors(in: folder) { entries in
                let before = entries.count
                entries.removeAll { $0.name == removed }
                precondition(entries.count == before - 1, "fixture lacks \(removed)")
            }
        }
        guard let error = error as? ModelLoadError, case .tensorMissing(let name, _) = error else {
            Issue.record("expected tensorMissing, got \(error)")
            return
        }
        #expect(name == removed)
        #expect(error.description.contains(removed))
    }

    @Test func wrongDTypeIsNamed() throws {
        // Same bytes relabelled I32: a size-consistent header whose dtype Scriba cannot use as weights.
        let error = try loadDamagedQwen3 { folder in
            try rewriteTensors(in: folder) { entries in
                let index = entries.firstIndex { $0.name == Self.firstAudioTensor }!
                entries[index].dtype = .i32
            }
        }
        guard let error = error as? ModelLoadError, case .unsupportedDType(let url, let tensor, let dtype) = error else {
            Issue.record("expected unsupportedDType, got \(error)")
            return
        }
        #expect(url.lastPathComponent == Self.weightsFile && tensor == Self.firstAudioTensor && dtype == "I32")
        #expect(error.description.contains(Self.weightsFile) && error.description.contains(Self.firstAudioTensor))
    }

    /// Absurd sizes: rejected by config validation, naming config.json and the key, before any
    /// tensor is read or buffer sized from them (10^12 × anything would overflow or exhaust memory).
    @Test(arguments: [
        ("text_config", "hidden_size", 1_000_000_000_000),
        ("text_config", "vocab_size", 1 << 40),
        ("text_config", "num_hidden_layers", 1_000_000),
        ("text_config", "intermediate_size", Int.max),
        ("audio_config", "d_model", 1_000_000_000_000),
        ("audio_config", "encoder_ffn_dim", 1 << 62),
    ])
    func absurdConfigSizesAreRejected(section: String, key: String, value: Int) throws {
        let error = try loadDamagedQwen3 { folder in
            try Qwen3Fixtures.editConfig(in: folder) { root in
                var thinker = root["thinker_config"] as? [String: Any] ?? [:]
                var part = thinker[section] as? [String: Any] ?? [:]
                part[key] = value
                thinker[section] = part
                root["thinker_config"] = thinker
            }
        }
        guard let error = error as? Qwen3ASRError, case .configUnsupported(let url, let path, let found, _) = error else {
            Issue.record("expected configUnsupported, got \(error)")
            return
        }
        #expect(url.lastPathComponent == "config.json")
        #expect(path == "thinker_config.\(section).\(key)")
        #expect(found == "\(value)")
        #expect(error.description.contains("thinker_config.\(section).\(key)"))
    }

    // MARK: - Whisper CTranslate2

    static var whisperBase: URL { TestLocations.whisperBase }

    /// Cut points inside the header, inside the first variable's data, in the middle of the weights
    /// and one byte short: every one names model.bin and what was cut.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: whisperBase.appendingPathComponent("model.bin").path),
                   "needs scripts/fetch-whisper-base"),
          arguments: [100, 40_000, 70_000_000, -1])
    func truncatedWhisperModelBinIsNamed(cut: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ct2-lie-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["config.json", "tokenizer.json", "vocabulary.txt"] {
            try FileManager.default.copyItem(at: Self.whisperBase.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let source = try FileHandle(forReadingFrom: Self.whisperBase.appendingPathComponent("model.bin"))
        defer { try? source.close() }
        let size = Int(try source.seekToEnd())
        try source.seek(toOffset: 0)
        let kept = cut < 0 ? size + cut : cut
        try #require(kept < size)
        try source.readData(ofLength: kept).write(to: folder.appendingPathComponent("model.bin"))

        let error = #expect(throws: ModelLoadError.self) { try WhisperModel(folder: folder) }
        guard let error, case .truncated(let url, let detail) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(url.lastPathComponent == "model.bin")
        #expect(error.description.contains("model.bin") && !detail.isEmpty)
        // Past the header, the detail names the variable whose bytes are cut off.
        if kept > 40_000 { #expect(detail.contains("/") || detail.contains("variable"), "\(detail)") }
    }
}
