// libFuzzer target: a CTranslate2 model.bin on arbitrary bytes; every variable is then read.

import Foundation
import FuzzSupport
import ScribaModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCTranslate2(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let url = FuzzScratch.write(bytes, to: "model.bin")
    guard let model = try? CTranslate2Model(contentsOf: url) else { return 0 }
    for name in model.names + Array(model.aliases.keys) {
        guard let info = try? model.info(name) else { fatalError("listed variable \(name) has no info") }
        precondition(info.byteOffset + info.byteCount <= count, "variable \(name) ends past the file")
        _ = try? model.floats(name)
        _ = try? model.int8s(name)
        _ = try? model.scalarInt(name)
    }
    return 0
}
