// libFuzzer target: the tokenizer folder loaders.
// First byte even: the rest is tokenizer.json. First byte odd: the rest is vocab.json, merges.txt
// and tokenizer_config.json separated by "\n=====\n" (the config is absent when there is no
// second separator). A tokenizer that loads then encodes and decodes a fixed mixed-script text.

import Foundation
import FuzzSupport
import ScribaModels

private let folder = FuzzScratch.subfolder("tokenizer")
private let separator = Array("\n=====\n".utf8)
private let sample = "Hello, world! Ça va? 你好 <|endoftext|> 123  \n\t🙂"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizerFiles(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let names = ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json"]
    _ = FuzzScratch.subfolder("tokenizer", removing: names)
    if bytes[0] & 1 == 0 {
        FuzzScratch.write(bytes.dropFirst(), to: "tokenizer.json", in: folder)
    } else {
        let pieces = FuzzScratch.split(Array(bytes.dropFirst()), separator: separator, limit: 3)
        for (piece, name) in zip(pieces, names.dropFirst()) { FuzzScratch.write(piece, to: name, in: folder) }
        if pieces.count < 2 { FuzzScratch.write([], to: "merges.txt", in: folder) }
    }
    guard let tokenizer = try? BPETokenizer.load(folder: folder) else { return 0 }
    let ids = tokenizer.encode(sample)
    _ = tokenizer.decode(ids)
    _ = tokenizer.decode(Array(0..<min(tokenizer.vocabularySize + 2, 64)) + [-1, Int.max])
    return 0
}
