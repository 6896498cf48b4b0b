import Foundation

/// Sample format of a written WAV file.
public enum WAVSampleFormat: Sendable, Equatable {
    /// 16-bit integer PCM: samples are clipped to [-1, 1] and rounded to the nearest step.
    case int16
    /// 32-bit IEEE float: samples are stored exactly.
    case float32

    var bytesPerSample: Int { self == .int16 ? 2 : 4 }
    var formatTag: UInt16 { self == .int16 ? 1 : 3 }
}

/// Writes mono `AudioBuffer`s as canonical 44-byte-header WAV files (RF64 past 4 GiB).
public enum WAVWriter {
    /// The whole file in memory.
    public static func encode(_ audio: AudioBuffer, format: WAVSampleFormat = .int16) -> Data {
        let channels = 1
        let dataBytes = audio.samples.count * format.bytesPerSample * channels
        // A RIFF size field is 32 bits; bigger files need RF64 with the sizes in a ds64 chunk.
        let needsRF64 = dataBytes + 36 > Int(UInt32.max - 1)
        var out = Data()
        out.reserveCapacity(dataBytes + (needsRF64 ? 80 : 44))
        if needsRF64 {
            out.append(contentsOf: Array("RF64".utf8)); appendLE(&out, UInt32.max)
            out.append(contentsOf: Array("WAVE".utf8))
            out.append(contentsOf: Array("ds64".utf8)); appendLE(&out, UInt32(28))
            appendLE(&out, UInt64(dataBytes + 72)) // RIFF size: file size - 8
            appendLE(&out, UInt64(dataBytes))
            appendLE(&out, UInt64(audio.samples.count))
            appendLE(&out, UInt32(0)) // no table entries
        } else {
            out.append(contentsOf: Array("RIFF".utf8)); appendLE(&out, UInt32(dataBytes + 36))
            out.append(contentsOf: Array("WAVE".utf8))
        }
        out.append(contentsOf: Array("fmt ".utf8)); appendLE(&out, UInt32(16))
        appendLE(&out, format.formatTag)
        appendLE(&out, UInt16(channels))
        appendLE(&out, UInt32(clamping: audio.sampleRate))
        appendLE(&out, UInt32(clamping: audio.sampleRate * format.bytesPerSample * channels))
        appendLE(&out, UInt16(format.bytesPerSample * channels))
        appendLE(&out, UInt16(format.bytesPerSample * 8))
        out.append(contentsOf: Array("data".utf8)); appendLE(&out, needsRF64 ? UInt32.max : UInt32(dataBytes))

        let headerSize = out.count
        out.count = headerSize + dataBytes
        out.withUnsafeMutableBytes { raw in
            let dst = raw.baseAddress! + headerSize
            audio.samples.withUnsafeBufferPointer { src in
                switch format {
                case .int16:
                    for (i, x) in src.enumerated() {
                        // Same scale as the reader (1/32768) so k/32768 round-trips exactly; +1.0
                        // clips to 32767. NaN maps to 0 rather than trapping in the conversion.
                        let clipped = x.isNaN ? 0 : min(max(x, -1), 1)
                        let value = Int16(clamping: Int((clipped * 32768).rounded()))
                        dst.storeBytes(of: value.littleEndian, toByteOffset: i * 2, as: Int16.self)
                    }
                case .float32:
                    for (i, x) in src.enumerated() {
                        dst.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                    }
                }
            }
        }
        return out
    }

    /// Writes to a temporary file beside `url`, then renames it over `url`, so a reader never sees
    /// a half-written file and a failure leaves any old file intact.
    public static func write(_ audio: AudioBuffer, to url: URL, format: WAVSampleFormat = .int16) throws {
        let data = encode(audio, format: format)
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temp)
        } catch {
            throw AudioError.writeFailed(path: url.path, reason: (error as NSError).localizedDescription)
        }
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw AudioError.writeFailed(path: url.path, reason: reason)
        }
    }

    private static func appendLE<T: FixedWidthInteger>(_ data: inout Data, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}
