// libFuzzer target: safetensors files and sharded-checkpoint index JSON.
// First byte even: the rest is one .safetensors file, every tensor of which is then converted.
// First byte odd: the rest is model.safetensors.index.json beside the two fixture shards.

import Foundation
import FuzzSupport
import ScribaModels

private let shardFolder: URL = {
    let folder = FuzzScratch.subfolder("sharded")
    let fixtures = FuzzScratch.repository.appendingPathComponent("Tests/Fixtures/safetensors/sharded")
    for name in ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] {
        let target = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try! FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: target)
    }
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    if bytes[0] & 1 == 0 {
        let url = FuzzScratch.write(bytes.dropFirst(), to: "fuzz.safetensors")
        guard let file = try? SafeTensorsFile(url: url) else { return 0 }
        for name in file.names {
            guard let info = try? file.info(name) else { fatalError("listed tensor \(name) has no info") }
            precondition(info.byteRange.upperBound <= file.byteCount, "tensor \(name) ends past the file")
            if let values = try? file.floats(name) { precondition(values.count == info.elementCount) }
        }
    } else {
        FuzzScratch.write(bytes.dropFirst(), to: "model.safetensors.index.json", in: shardFolder)
        guard let checkpoint = try? SafeTensorsCheckpoint(folder: shardFolder) else { return 0 }
        for name in checkpoint.names { _ = try? checkpoint.floats(name) }
    }
    return 0
}
