// libFuzzer target: the native WAV reader on arbitrary bytes (header walk, then both decoders).

import Foundation
import ScribaAudio

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let info = try? WAVReader.info(data, source: "fuzz.wav") else { return 0 }
    // A header that parses must decode to exactly the frames it announced.
    if let (_, samples) = try? WAVReader.readMono(data, source: "fuzz.wav") {
        precondition(samples.count == info.frameCount, "readMono gave \(samples.count) frames, info said \(info.frameCount)")
    }
    if let (_, interleaved) = try? WAVReader.read(data, source: "fuzz.wav") {
        precondition(interleaved.count == info.frameCount * info.channels, "read gave \(interleaved.count) samples")
    }
    return 0
}
