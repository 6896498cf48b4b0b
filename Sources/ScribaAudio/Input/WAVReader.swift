import Foundation

/// Native RIFF/RF64 WAVE reader: PCM 8/16/24/32-bit integer, 32/64-bit float, plain or
/// WAVE_FORMAT_EXTENSIBLE, any channel count and rate. Unknown chunks (`LIST`, `fact`, `JUNK`,
/// `bext`, ...) are skipped, honouring the pad byte after odd-sized chunks.
///
/// Policy on damaged files:
/// - A declared size is never used to allocate: frame counts come from the bytes actually present.
/// - A data chunk shorter than declared is an error, unless what is missing is at most the final
///   partial frame (or a single byte): writers that crash mid-frame or drop an odd last byte.
/// - A data size of 0xFFFFFFFF (written by tools that stream to a pipe, e.g. ffmpeg) means
///   "until end of file".
/// - Compressed encodings (μ-law, A-law, ADPCM, MP3-in-WAV, ...) throw
///   `AudioError.unsupportedWAVEncoding`; `AudioFile.load` then decodes them through ffmpeg.
public enum WAVReader {
    /// True when `data` starts with a RIFF or RF64 header of form WAVE (detection by content,
    /// not by file extension).
    public static func isWAV(_ data: Data) -> Bool {
        guard data.count >= 12 else { return false }
        let riff = data.prefix(4), wave = data.dropFirst(8).prefix(4)
        return (riff.elementsEqual("RIFF".utf8) || riff.elementsEqual("RF64".utf8)) && wave.elementsEqual("WAVE".utf8)
    }

    /// Decodes every channel, interleaved (frame 0 ch 0, frame 0 ch 1, ...), as Float in [-1, 1).
    public static func read(_ data: Data, source: String) throws -> (info: AudioSourceInfo, interleaved: [Float]) {
        try data.withUnsafeBytes { raw in
            let layout = try parse(raw, source: source)
            let samples = decode(raw, layout: layout, mono: false)
            try checkFinite(samples, layout: layout, source: source, stride: layout.channels)
            return (layout.info, samples)
        }
    }

    /// Decodes and averages the channels in one pass, so a long multichannel file never exists
    /// interleaved in memory.
    public static func readMono(_ data: Data, source: String) throws -> (info: AudioSourceInfo, samples: [Float]) {
        try data.withUnsafeBytes { raw in
            let layout = try parse(raw, source: source)
            let samples = decode(raw, layout: layout, mono: true)
            try checkFinite(samples, layout: layout, source: source, stride: 1)
            return (layout.info, samples)
        }
    }

    /// Parses only the header: what `read` would return as `info`, without decoding samples.
    public static func info(_ data: Data, source: String) throws -> AudioSourceInfo {
        try data.withUnsafeBytes { try parse($0, source: source).info }
    }

    // MARK: - Layout

    enum Encoding: Equatable {
        case uint8, int16, int24, int32, float32, float64

        var codecName: String {
            switch self {
            case .uint8: "pcm_u8"
            case .int16: "pcm_s16le"
            case .int24: "pcm_s24le"
            case .int32: "pcm_s32le"
            case .float32: "pcm_f32le"
            case .float64: "pcm_f64le"
            }
        }
        var isFloat: Bool { self == .float32 || self == .float64 }
    }

    struct Layout {
        var encoding: Encoding
        var channels: Int
        var sampleRate: Int
        var bytesPerSample: Int
        var blockAlign: Int
        var dataOffset: Int
        var frameCount: Int

        var info: AudioSourceInfo {
            AudioSourceInfo(container: "wav", codec: encoding.codecName, sampleRate: sampleRate,
                            channels: channels, frameCount: frameCount)
        }
    }

    private struct Format {
        var tag: Int
        var channels: Int
        var sampleRate: Int
        var blockAlign: Int
        var bitsPerSample: Int
    }

    static let extensibleTag = 0xFFFE
    /// RF64 and streamed RIFF files put this in 32-bit size fields: "see ds64" / "unknown".
    private static let sizeUnknown = 0xFFFF_FFFF

    static func parse(_ raw: UnsafeRawBufferPointer, source: String) throws(AudioError) -> Layout {
        let count = raw.count
        guard count > 0 else { throw .emptyFile(source: source) }
        if count < 12 {
            let magicPrefix = Array(raw.prefix(4))
            if Array("RIFF".utf8).starts(with: magicPrefix) || Array("RF64".utf8).starts(with: magicPrefix) {
                throw .truncatedHeader(source: source, detail: "the file is \(count) bytes, a WAV header needs at least 44")
            }
            throw .notWAV(source: source)
        }
        let magic = fourCC(raw, 0)
        guard (magic == "RIFF" || magic == "RF64"), fourCC(raw, 8) == "WAVE" else { throw .notWAV(source: source) }
        let isRF64 = magic == "RF64"

        var format: Format?
        var ds64DataSize: Int?
        var data: (offset: Int, declared: Int?)?
        var offset = 12
        while offset + 8 <= count {
            let id = fourCC(raw, offset)
            let size = Int(u32(raw, offset + 4))
            let body = offset + 8
            let bodyAvailable = count - body
            switch id {
            case "fmt ":
                guard size >= 16, bodyAvailable >= 16 else {
                    throw .truncatedHeader(source: source, detail: "the 'fmt ' chunk has \(min(size, bodyAvailable)) bytes, it needs at least 16")
                }
                format = try parseFormat(raw, at: body, size: min(size, bodyAvailable), source: source)
            case "ds64" where isRF64:
                guard size >= 24, bodyAvailable >= 24 else {
                    throw .truncatedHeader(source: source, detail: "the RF64 'ds64' chunk has \(min(size, bodyAvailable)) bytes, it needs 24")
                }
                // Clamped so offset arithmetic cannot overflow; anything this big fails as truncated.
                ds64DataSize = Int(min(u64(raw, body + 8), 1 << 60))
            case "data":
                var declared: Int? = size
                if size == sizeUnknown { declared = isRF64 ? ds64DataSize : nil }
                data = (body, declared)
            default:
                break
            }
            if data != nil, format != nil { break }
            // Without a trustworthy size (streamed data) nothing after the data chunk can be found.
            guard id != "data" || data?.declared != nil else { break }
            let chunkSize = id == "data" ? (data?.declared ?? 0) : size
            let next = body + chunkSize + (chunkSize & 1)
            if next > count, format == nil || data == nil {
                throw .truncatedHeader(source: source, detail: "the '\(id)' chunk declares \(chunkSize) bytes but the file ends \(bodyAvailable) bytes after it starts, before the audio")
            }
            offset = next
        }
        guard let format else {
            if data == nil, offset < count { throw .truncatedHeader(source: source, detail: "the file ends inside a chunk header at byte \(offset)") }
            throw .missingChunk(source: source, chunk: "fmt ")
        }
        guard let data else {
            if offset < count { throw .truncatedHeader(source: source, detail: "the file ends inside a chunk header at byte \(offset)") }
            throw .missingChunk(source: source, chunk: "data")
        }
        let (encoding, bytesPerSample) = try sampleEncoding(format, source: source)

        let available = count - data.offset
        var usable = available
        if let declared = data.declared {
            let shortfall = declared - available
            // Tolerate losing only the final partial frame (or one odd byte); more means real truncation.
            if shortfall >= max(2, format.blockAlign) {
                throw .truncatedData(source: source, declaredBytes: declared, availableBytes: available)
            }
            usable = min(declared, available)
        }
        let frames = usable / format.blockAlign
        guard frames > 0 else { throw .emptyAudio(source: source) }
        return Layout(encoding: encoding, channels: format.channels, sampleRate: format.sampleRate,
                      bytesPerSample: bytesPerSample, blockAlign: format.blockAlign,
                      dataOffset: data.offset, frameCount: frames)
    }

    private static func parseFormat(_ raw: UnsafeRawBufferPointer, at body: Int, size: Int, source: String) throws(AudioError) -> Format {
        var tag = Int(u16(raw, body))
        let channels = Int(u16(raw, body + 2))
        let sampleRate = Int(u32(raw, body + 4))
        let blockAlign = Int(u16(raw, body + 12))
        let bits = Int(u16(raw, body + 14))
        if tag == extensibleTag {
            guard size >= 40 else {
                throw .invalidFormat(source: source, detail: "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is \(size) bytes, it needs 40")
            }
            // The SubFormat GUID starts with the plain format tag (KSDATAFORMAT_SUBTYPE_PCM = 1, _IEEE_FLOAT = 3).
            tag = Int(u16(raw, body + 24))
        }
        guard channels > 0 else { throw .invalidFormat(source: source, detail: "0 channels") }
        guard sampleRate > 0 else { throw .invalidFormat(source: source, detail: "sample rate 0 Hz") }
        guard sampleRate <= AudioSourceInfo.maxSampleRate else {
            throw .invalidFormat(source: source, detail: "sample rate \(sampleRate) Hz is above \(AudioSourceInfo.maxSampleRate) Hz")
        }
        return Format(tag: tag, channels: channels, sampleRate: sampleRate, blockAlign: blockAlign, bitsPerSample: bits)
    }

    private static func sampleEncoding(_ format: Format, source: String) throws(AudioError) -> (Encoding, Int) {
        guard format.tag == 1 || format.tag == 3 else {
            throw .unsupportedWAVEncoding(source: source, formatTag: format.tag, name: encodingName(format.tag))
        }
        guard format.bitsPerSample > 0 else { throw .invalidFormat(source: source, detail: "0 bits per sample") }
        // Samples sit in containers of blockAlign / channels bytes; fewer valid bits are left-justified,
        // so scaling by the container width is right for both.
        let container = format.blockAlign / format.channels
        guard format.blockAlign > 0, format.blockAlign % format.channels == 0,
              container >= (format.bitsPerSample + 7) / 8 else {
            throw .invalidFormat(source: source, detail: "block align \(format.blockAlign) does not fit \(format.channels) channels of \(format.bitsPerSample)-bit samples")
        }
        let encoding: Encoding? = switch (format.tag, container) {
        case (1, 1): .uint8
        case (1, 2): .int16
        case (1, 3): .int24
        case (1, 4): .int32
        case (3, 4): .float32
        case (3, 8): .float64
        default: nil
        }
        guard let encoding else {
            let kind = format.tag == 3 ? "float" : "integer PCM"
            throw .invalidFormat(source: source, detail: "\(format.bitsPerSample)-bit \(kind) in \(container)-byte containers is not a WAV sample format")
        }
        return (encoding, container)
    }

    static func encodingName(_ tag: Int) -> String {
        switch tag {
        case 0x0002: "Microsoft ADPCM"
        case 0x0006: "A-law"
        case 0x0007: "μ-law"
        case 0x0011: "IMA ADPCM"
        case 0x0031: "GSM 6.10"
        case 0x0050: "MPEG audio"
        case 0x0055: "MP3"
        case 0x0161, 0x0162, 0x0163: "Windows Media Audio"
        case 0x2000: "AC-3"
        default: "unknown"
        }
    }

    // MARK: - Decoding

    static func decode(_ raw: UnsafeRawBufferPointer, layout: Layout, mono: Bool) -> [Float] {
        let base = raw.baseAddress! + layout.dataOffset
        switch layout.encoding {
        case .uint8:
            return decode(base, layout, mono) { (Float($0.load(as: UInt8.self)) - 128) * (1 / 128) }
        case .int16:
            return decode(base, layout, mono) { Float(Int16(littleEndian: $0.loadUnaligned(as: Int16.self))) * (1 / 32768) }
        case .int24:
            return decode(base, layout, mono) { p in
                let value = Int32(p.load(as: UInt8.self)) | Int32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
                    | Int32(p.load(fromByteOffset: 2, as: Int8.self)) << 16
                return Float(value) * (1 / 8_388_608)
            }
        case .int32:
            return decode(base, layout, mono) { Float(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) * (1 / 2_147_483_648) }
        case .float32:
            return decode(base, layout, mono) { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        case .float64:
            return decode(base, layout, mono) { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))) }
        }
    }

    @inline(__always)
    private static func decode(_ base: UnsafeRawPointer, _ layout: Layout, _ mono: Bool,
                               _ load: (UnsafeRawPointer) -> Float) -> [Float] {
        let frames = layout.frameCount, channels = layout.channels
        let block = layout.blockAlign, width = layout.bytesPerSample
        if mono {
            let scale = 1 / Float(channels)
            return [Float](unsafeUninitializedCapacity: frames) { out, initialized in
                for f in 0..<frames {
                    let frame = base + f * block
                    var sum: Float = 0
                    for c in 0..<channels { sum += load(frame + c * width) }
                    out[f] = sum * scale
                }
                initialized = frames
            }
        }
        let total = frames * channels
        return [Float](unsafeUninitializedCapacity: total) { out, initialized in
            for f in 0..<frames {
                let frame = base + f * block
                for c in 0..<channels { out[f * channels + c] = load(frame + c * width) }
            }
            initialized = total
        }
    }

    private static func checkFinite(_ samples: [Float], layout: Layout, source: String, stride: Int) throws(AudioError) {
        guard layout.encoding.isFloat else { return }
        if let index = samples.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteSamples(source: source, firstFrame: index / stride)
        }
    }

    // MARK: - Little-endian field access (unaligned: chunk bodies are only 2-byte aligned)

    private static func u16(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    private static func u32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    private static func u64(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    private static func fourCC(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4]), as: UTF8.self)
    }
}
