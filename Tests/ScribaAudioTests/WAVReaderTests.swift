import Foundation
import Testing
@testable import ScribaAudio

@Suite struct WAVReaderTests {
    @Test func int16StereoIsInterleavedAndScaledBy32768() throws {
        let wav = WAVBytes(channels: 2, sampleRate: 44_100).build(data: int16Bytes([0, -32768, 16384, 32767]))
        let (info, samples) = try WAVReader.read(wav, source: "t.wav")
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_s16le", sampleRate: 44_100, channels: 2, frameCount: 2))
        #expect(samples == [0, -1, 0.5, Float(32767) / 32768])
    }

    @Test func unsigned8BitIsCentredOn128() throws {
        let wav = WAVBytes(bitsPerSample: 8).build(data: [0, 128, 255, 64])
        let (info, samples) = try WAVReader.read(wav, source: "t.wav")
        #expect(info.codec == "pcm_u8")
        #expect(samples == [-1, 0, 127.0 / 128, -0.5])
    }

    @Test func signed24BitSignExtends() throws {
        // 0x800000 = -8388608 (-1.0), 0x7FFFFF, 0x000001, 0xC00000 = -0.5
        let bytes: [UInt8] = [0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x01, 0x00, 0x00, 0x00, 0x00, 0xC0]
        let (info, samples) = try WAVReader.read(WAVBytes(bitsPerSample: 24).build(data: bytes), source: "t.wav")
        #expect(info.codec == "pcm_s24le")
        #expect(samples == [-1, Float(8_388_607) / 8_388_608, 1 / 8_388_608, -0.5])
    }

    @Test func signed32Bit() throws {
        let values: [Int32] = [Int32.min, 1 << 30, -(1 << 29)]
        let (_, samples) = try WAVReader.read(WAVBytes(bitsPerSample: 32).build(data: values.flatMap { le($0) }), source: "t.wav")
        #expect(samples == [-1, 0.5, -0.25])
    }

    @Test func float32AndFloat64AreReadExactly() throws {
        let f32 = WAVBytes(formatTag: 3, bitsPerSample: 32).build(data: float32Bytes([0.25, -0.75, 1.5]))
        #expect(try WAVReader.read(f32, source: "t.wav").interleaved == [0.25, -0.75, 1.5])
        let f64 = WAVBytes(formatTag: 3, bitsPerSample: 64).build(data: [0.125, -1.0].flatMap { le(($0 as Double).bitPattern) })
        let (info, samples) = try WAVReader.read(f64, source: "t.wav")
        #expect(info.codec == "pcm_f64le")
        #expect(samples == [0.125, -1])
    }

    @Test func extensibleSixChannel24BitAt96kHz() throws {
        var wav = WAVBytes(channels: 6, sampleRate: 96_000, bitsPerSample: 24)
        wav.extensibleSubFormat = 1
        // Two frames: channel c of frame f holds (f * 6 + c) << 8 (a 24-bit value).
        let bytes = (0..<12).flatMap { v -> [UInt8] in Array(le(Int32(v << 8)).prefix(3)) }
        let (info, samples) = try WAVReader.read(wav.build(data: bytes), source: "t.wav")
        #expect(info.channels == 6 && info.sampleRate == 96_000 && info.frameCount == 2 && info.codec == "pcm_s24le")
        #expect(samples == (0..<12).map { Float($0 << 8) / 8_388_608 })
    }

    @Test func extensibleFloatAnd20ValidBitsIn24BitContainers() throws {
        var float = WAVBytes(channels: 2, bitsPerSample: 32)
        float.extensibleSubFormat = 3
        #expect(try WAVReader.read(float.build(data: float32Bytes([0.5, -0.5])), source: "t.wav").interleaved == [0.5, -0.5])

        // 20 valid bits are left-justified in the 24-bit container: scale stays 2^23.
        var packed = WAVBytes(bitsPerSample: 24)
        packed.extensibleSubFormat = 1
        packed.validBits = 20
        let (_, samples) = try WAVReader.read(packed.build(data: [0x00, 0x00, 0x40]), source: "t.wav")
        #expect(samples == [0.5])
    }

    @Test func listFactAndOddSizedChunksAreSkipped() throws {
        var wav = WAVBytes(channels: 1, sampleRate: 8_000, bitsPerSample: 8)
        wav.chunksBeforeData = [("LIST", Array("INFOISFTabc".utf8)), ("fact", le(UInt32(3))), ("JUNK", [1, 2, 3])]
        wav.chunksAfterData = [("id3 ", [9, 9, 9, 9, 9])]
        let (info, samples) = try WAVReader.read(wav.build(data: [255, 0, 128]), source: "t.wav")
        #expect(info.frameCount == 3)
        #expect(samples == [127.0 / 128, -1, 0])
    }

    @Test func streamedDataSizeReadsToEndOfFile() throws {
        // ffmpeg writing to a pipe sets the sizes to 0xFFFFFFFF: read to end of file.
        var wav = WAVBytes()
        wav.declaredDataSize = 0xFFFF_FFFF
        wav.chunksBeforeData = [("LIST", [1])]
        let (info, samples) = try WAVReader.read(wav.build(data: int16Bytes([8192, -8192, 0])), source: "t.wav")
        #expect(info.frameCount == 3)
        #expect(samples == [0.25, -0.25, 0])
    }

    @Test func rf64WithDS64Chunk() throws {
        var wav = WAVBytes(sampleRate: 22_050)
        wav.rf64 = true
        let (info, samples) = try WAVReader.read(wav.build(data: int16Bytes([16384, 4096])), source: "t.wav")
        #expect(info.sampleRate == 22_050 && info.frameCount == 2)
        #expect(samples == [0.5, 0.125])
    }

    @Test func readMonoAveragesChannelsAndInfoMatches() throws {
        let wav = WAVBytes(formatTag: 3, channels: 3, sampleRate: 48_000, bitsPerSample: 32)
            .build(data: float32Bytes([0.3, 0.6, 0.9, -1, 0, 1]))
        let (info, mono) = try WAVReader.readMono(wav, source: "t.wav")
        #expect(info.duration == 2.0 / 48_000)
        #expect(mono.count == 2)
        #expect(abs(mono[0] - 0.6) < 1e-6 && mono[1] == 0)
        #expect(try WAVReader.info(wav, source: "t.wav") == info)
    }

    @Test func isWAVChecksContentNotName() {
        #expect(WAVReader.isWAV(WAVBytes().build(data: [0, 0])))
        #expect(!WAVReader.isWAV(Data("ID3\u{3}\0\0\0\0\0\0\0\0".utf8)))
        #expect(!WAVReader.isWAV(Data("RIFF\u{4}\0\0\0AVI ".utf8)))
    }
}
