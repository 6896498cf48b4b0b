import Foundation
import Testing
@testable import ScribaModels

@Suite struct SafeTensorsCheckpointTests {
    private static let sharded = SafeTensorsTestSupport.fixtures.appendingPathComponent("sharded")
    private static let firstShard = "model-00001-of-00002.safetensors"
    private static let secondShard = "model-00002-of-00002.safetensors"

    private func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = try SafeTensorsTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    private static func writeIndex(_ weightMap: [String: String], in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(SafeTensorsCheckpoint.indexFileName)
        try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap]).write(to: url)
        return url
    }

    @Test func pythonShardedCheckpointLooksUpAcrossShards() throws {
        let checkpoint = try SafeTensorsCheckpoint(folder: Self.sharded)
        #expect(checkpoint.names == ["layer.0.bias", "layer.0.weight", "layer.1.weight"])
        #expect(checkpoint.files.map(\.url.lastPathComponent) == [Self.firstShard, Self.secondShard])
        // torch.arange(6).reshape(2, 3) in shard 1; (arange(4) + 10) as bf16 in shard 2.
        #expect(try checkpoint.floats("layer.0.weight") == [0, 1, 2, 3, 4, 5])
        #expect(try checkpoint.floats("layer.0.bias") == [-1, 1])
        #expect(try checkpoint.floats("layer.1.weight") == [10, 11, 12, 13])
        #expect(try checkpoint.info("layer.1.weight").dtype == .bf16)
        #expect(try checkpoint.tensor("layer.1.weight").shape == [2, 2])
        #expect(try checkpoint.file(containing: "layer.1.weight").url.lastPathComponent == Self.secondShard)
        #expect(try checkpoint.withRawBytes("layer.0.bias") { $0.count } == 8)
        #expect(throws: ModelLoadError.tensorMissing(name: "layer.2.weight", in: Self.sharded)) {
            try checkpoint.floats("layer.2.weight")
        }
    }

    @Test func singleFileFolderIsRead() throws {
        try withFolder { folder in
            try SafeTensorsWriter.write(tensors: [("w", .f32, [2], SafeTensorsTestSupport.floatBytes([3, -4]))],
                                        to: folder.appendingPathComponent("model.safetensors"))
            let checkpoint = try SafeTensorsCheckpoint(folder: folder)
            #expect(checkpoint.names == ["w"])
            #expect(try checkpoint.floats("w") == [3, -4])
        }
    }

    @Test func missingShardIsShardMissingNamingShardAndIndex() throws {
        try withFolder { folder in
            for name in [SafeTensorsCheckpoint.indexFileName, Self.firstShard] {
                try FileManager.default.copyItem(at: Self.sharded.appendingPathComponent(name),
                                                 to: folder.appendingPathComponent(name))
            }
            let shard = folder.appendingPathComponent(Self.secondShard)
            let index = folder.appendingPathComponent(SafeTensorsCheckpoint.indexFileName)
            let expected = ModelLoadError.shardMissing(shard: shard, index: index)
            #expect(throws: expected) { try SafeTensorsCheckpoint(folder: folder) }
            #expect(expected.description.contains("model.safetensors.index.json lists shard \(Self.secondShard)"))
        }
    }

    @Test func indexNamingATensorItsShardLacksIsIndexedTensorMissing() throws {
        try withFolder { folder in
            try FileManager.default.copyItem(at: Self.sharded.appendingPathComponent(Self.firstShard),
                                             to: folder.appendingPathComponent(Self.firstShard))
            let index = try Self.writeIndex(["layer.0.bias": Self.firstShard, "ghost": Self.firstShard], in: folder)
            #expect(throws: ModelLoadError.indexedTensorMissing(name: "ghost", shard: folder.appendingPathComponent(Self.firstShard), index: index)) {
                try SafeTensorsCheckpoint(folder: folder)
            }
        }
    }

    @Test(arguments: [#"{"metadata": {}}"#, #"{"weight_map": {"a": 1}}"#, "not json", #"{"weight_map": {}}"#,
                      #"{"weight_map": {"a": "../model.safetensors"}}"#])
    func badIndexIsIndexInvalid(json: String) throws {
        try withFolder { folder in
            let index = folder.appendingPathComponent(SafeTensorsCheckpoint.indexFileName)
            try Data(json.utf8).write(to: index)
            let error = #expect(throws: ModelLoadError.self) { try SafeTensorsCheckpoint(folder: folder) }
            guard case .indexInvalid(let reported, _) = error else {
                Issue.record("expected indexInvalid, got \(String(describing: error))")
                return
            }
            #expect(reported == index)
        }
    }

    @Test func folderWithoutWeightsIsCheckpointMissing() throws {
        try withFolder { folder in
            #expect(throws: ModelLoadError.checkpointMissing(folder: folder)) { try SafeTensorsCheckpoint(folder: folder) }
            let absent = folder.appendingPathComponent("nope")
            #expect(throws: ModelLoadError.fileMissing(absent)) { try SafeTensorsCheckpoint(folder: absent) }
        }
    }
}
