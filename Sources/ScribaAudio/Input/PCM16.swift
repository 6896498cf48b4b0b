// Raw PCM16 as live inputs carry it (a pipe, a WebSocket's base64 frames).

/// Signed 16-bit little-endian PCM → floats in [-1, 1), as every live input carries it.
public enum PCM16 {
    public static func samples(littleEndian bytes: [UInt8]) -> [Float] {
        var samples = [Float](repeating: 0, count: bytes.count / 2)
        for i in samples.indices {
            let value = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
            samples[i] = Float(value) * (1 / 32768)  // the WAV reader's scale
        }
        return samples
    }
}
