// libFuzzer target: BPE encode/decode on arbitrary bytes with two real tokenizer layouts: the
// GPT-2-style tokenizer.json fixture (no normalizer) and the Qwen3 vocab.json + merges.txt
// fixture (NFC normalizer, Qwen2 split pattern).
// Input: byte 0 picks the tokenizer (bit 0), allowSpecial (bit 1) and encode vs. decode (bit 2);
// the rest is text (lossily decoded as UTF-8) or little-endian 16-bit ids.

import Foundation
import FuzzSupport
import ScribaModels

private let fixtures = FuzzScratch.repository.appendingPathComponent("Tests/Fixtures")
private let gpt2 = try! BPETokenizer.load(folder: fixtures.appendingPathComponent("tokenizer/gpt2style"))
private let qwen = try! BPETokenizer.load(folder: fixtures.appendingPathComponent("qwen3/asr-tiny-f32"))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBPE(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let mode = bytes[0]
    let tokenizer = mode & 1 == 0 ? gpt2 : qwen
    let rest = bytes.dropFirst()
    if mode & 4 == 0 {
        let text = String(decoding: rest, as: UTF8.self)
        let ids = tokenizer.encode(text, allowSpecial: mode & 2 != 0)
        precondition(ids.allSatisfy { tokenizer.token(of: $0) != nil }, "encode produced an id with no token")
        // Byte-level BPE without a normalizer is lossless: special tokens are read as text here.
        if tokenizer === gpt2 && mode & 2 == 0 {
            precondition(tokenizer.decode(ids) == text, "gpt2 round trip changed the text")
        }
    } else {
        var ids: [Int] = []
        ids.reserveCapacity(rest.count / 2)
        var iterator = rest.makeIterator()
        while let low = iterator.next(), let high = iterator.next() {
            ids.append(Int(Int16(bitPattern: UInt16(low) | UInt16(high) << 8)))
        }
        _ = tokenizer.decode(ids, skipSpecial: mode & 2 != 0)
        for id in ids { _ = tokenizer.token(of: id); _ = tokenizer.isSpecial(id) }
    }
    return 0
}
