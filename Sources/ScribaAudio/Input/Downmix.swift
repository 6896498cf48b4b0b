/// Channel mixing for decoders that produce interleaved frames.
public enum Downmix {
    /// Average of the channels of each frame. A trailing partial frame is dropped.
    public static func mono(_ interleaved: [Float], channels: Int) -> [Float] {
        guard channels > 1 else { return channels == 1 ? interleaved : [] }
        let frames = interleaved.count / channels
        return [Float](unsafeUninitializedCapacity: frames) { out, initialized in
            interleaved.withUnsafeBufferPointer { src in
                mono(src.baseAddress!, frames: frames, channels: channels, into: out.baseAddress!)
            }
            initialized = frames
        }
    }

    /// Pointer form used while streaming decoder output, so no interleaved copy is kept.
    static func mono(_ src: UnsafePointer<Float>, frames: Int, channels: Int, into dst: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(channels)
        if channels == 2 {
            for f in 0..<frames { dst[f] = (src[2 * f] + src[2 * f + 1]) * scale }
            return
        }
        for f in 0..<frames {
            let frame = src + f * channels
            var sum: Float = 0
            for c in 0..<channels { sum += frame[c] }
            dst[f] = sum * scale
        }
    }
}
