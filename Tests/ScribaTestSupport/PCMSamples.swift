import Foundation

/// Sample files and raw PCM as tests write them.
public enum PCMSamples {
    /// Raw little-endian float32 samples (the `.f32` fixtures).
    public static func float32(contentsOf url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// Signed 16-bit little-endian PCM, as `ffmpeg -f s16le` writes it and live inputs carry it.
    public static func s16le(_ samples: [Float]) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(samples.count * 2)
        for sample in samples {
            let value = UInt16(bitPattern: Int16(clamping: Int((sample * 32768).rounded())))
            bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        return bytes
    }
}
