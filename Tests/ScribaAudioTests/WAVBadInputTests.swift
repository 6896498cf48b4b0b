import Foundation
import Testing
@testable import ScribaAudio

/// Every damaged or unsupported WAV gives a typed error, never a crash.
@Suite struct WAVBadInputTests {
    private func error(_ data: Data) -> AudioError? {
        do {
            _ = try WAVReader.read(data, source: "bad.wav")
            return nil
        } catch {
            return error as? AudioError
        }
    }

    @Test func emptyFile() {
        #expect(error(Data()) == .emptyFile(source: "bad.wav"))
    }

    @Test func truncatedHeaders() {
        #expect(error(Data("RIFF\u{24}\0".utf8)) == .truncatedHeader(source: "bad.wav", detail: "the file is 6 bytes, a WAV header needs at least 44"))
        // Cut inside the 'fmt ' chunk body (header + 10 of its 16 bytes).
        let full = WAVBytes().build(data: int16Bytes([1, 2]))
        guard case .truncatedHeader? = error(full.prefix(12 + 8 + 10)) else {
            Issue.record("expected truncatedHeader, got \(String(describing: error(full.prefix(30))))")
            return
        }
        // Cut inside the 'data' chunk header.
        guard case .truncatedHeader? = error(full.prefix(44 - 3)) else {
            Issue.record("expected truncatedHeader for a cut chunk header")
            return
        }
    }

    @Test func notAWAV() {
        #expect(error(Data(repeating: 0x41, count: 64)) == .notWAV(source: "bad.wav"))
    }

    @Test func dataShorterThanDeclaredIsAnError() {
        var wav = WAVBytes()
        wav.declaredDataSize = 1000
        #expect(error(wav.build(data: int16Bytes([1, 2, 3, 4]))) == .truncatedData(source: "bad.wav", declaredBytes: 1000, availableBytes: 8))
    }

    @Test func missingOnlyTheFinalPartialFrameIsAccepted() throws {
        // 16-bit stereo declares 3 frames (12 bytes), 11 bytes are present: 2 whole frames are read.
        var wav = WAVBytes(channels: 2)
        wav.declaredDataSize = 12
        let (info, samples) = try WAVReader.read(wav.build(data: Array(int16Bytes([16384, 0, 0, 16384, 8192, 8192]).prefix(11))), source: "t.wav")
        #expect(info.frameCount == 2)
        #expect(samples == [0.5, 0, 0, 0.5])
    }

    @Test func zeroChannelsAndZeroRate() {
        #expect(error(WAVBytes(channels: 0, blockAlign: 2).build(data: [0, 0])) == .invalidFormat(source: "bad.wav", detail: "0 channels"))
        #expect(error(WAVBytes(sampleRate: 0).build(data: [0, 0])) == .invalidFormat(source: "bad.wav", detail: "sample rate 0 Hz"))
        #expect(error(WAVBytes(sampleRate: 4_000_000_000).build(data: [0, 0]))
            == .invalidFormat(source: "bad.wav", detail: "sample rate 4000000000 Hz is above 768000 Hz"))
    }

    @Test func blockAlignThatCannotHoldTheSamples() {
        guard case .invalidFormat? = error(WAVBytes(channels: 2, bitsPerSample: 16, blockAlign: 3).build(data: [0, 0, 0])) else {
            Issue.record("expected invalidFormat")
            return
        }
        guard case .invalidFormat? = error(WAVBytes(formatTag: 3, bitsPerSample: 16).build(data: [0, 0])) else {
            Issue.record("16-bit float is not a WAV format")
            return
        }
    }

    @Test func compressedEncodingsAreUnsupportedWithAConversionHint() {
        let mulaw = WAVBytes(formatTag: 7, bitsPerSample: 8).build(data: [0xFF, 0x7F])
        let err = error(mulaw)
        #expect(err == .unsupportedWAVEncoding(source: "bad.wav", formatTag: 7, name: "μ-law"))
        #expect(err?.description.contains("ffmpeg -i in.wav -c:a pcm_s16le out.wav") == true)
        #expect(err?.description.contains("apt-get install ffmpeg") == true)
        #expect(error(WAVBytes(formatTag: 2, bitsPerSample: 4).build(data: [0, 0])) == .unsupportedWAVEncoding(source: "bad.wav", formatTag: 2, name: "Microsoft ADPCM"))
        var extensibleMP3 = WAVBytes()
        extensibleMP3.extensibleSubFormat = 0x55
        #expect(error(extensibleMP3.build(data: [0, 0])) == .unsupportedWAVEncoding(source: "bad.wav", formatTag: 0x55, name: "MP3"))
    }

    @Test func zeroLengthAudio() {
        #expect(error(WAVBytes().build(data: [])) == .emptyAudio(source: "bad.wav"))
    }

    @Test func missingChunks() {
        var noData = WAVBytes()
        noData.includeData = false
        #expect(error(noData.build(data: [])) == .missingChunk(source: "bad.wav", chunk: "data"))
        var noFormat = WAVBytes()
        noFormat.includeFormat = false
        #expect(error(noFormat.build(data: [0, 0])) == .missingChunk(source: "bad.wav", chunk: "fmt "))
    }

    @Test func nonFiniteSamplesNameTheFrame() {
        let nan = WAVBytes(formatTag: 3, channels: 2, bitsPerSample: 32).build(data: float32Bytes([0, 0, 0.5, .nan]))
        #expect(error(nan) == .nonFiniteSamples(source: "bad.wav", firstFrame: 1))
        let inf = WAVBytes(formatTag: 3, bitsPerSample: 64).build(data: [0, 0, .infinity].flatMap { le(($0 as Double).bitPattern) })
        #expect(error(inf) == .nonFiniteSamples(source: "bad.wav", firstFrame: 2))
        #expect(throws: AudioError.nonFiniteSamples(source: "m.wav", firstFrame: 1)) {
            try WAVReader.readMono(nan, source: "m.wav")
        }
    }

    @Test func hugeDeclaredSizesAreNotTrusted() {
        // A 4 GiB chunk claim in a 60-byte file must fail cleanly, not allocate.
        var wav = WAVBytes()
        wav.chunksBeforeData = [("LIST", [])]
        var bytes = [UInt8](wav.build(data: int16Bytes([1, 2])))
        // Patch the LIST size (right after the 24-byte fmt chunk) to 0xFFFFFFF0.
        bytes.replaceSubrange(40..<44, with: le(UInt32(0xFFFF_FFF0)))
        guard case .truncatedHeader? = error(Data(bytes)) else {
            Issue.record("expected truncatedHeader, got \(String(describing: error(Data(bytes))))")
            return
        }
    }

    @Test func descriptionsSayWhatToDo() {
        #expect(AudioError.truncatedData(source: "a.wav", declaredBytes: 10, availableBytes: 4).description
            == "a.wav: the WAV data chunk declares 10 bytes but only 4 are present; the file was cut short. Copy or export it again (ffmpeg -i in.wav out.wav keeps what is there).")
        #expect(AudioError.emptyAudio(source: "a.wav").localizedDescription.contains("0 frames"))
    }
}
