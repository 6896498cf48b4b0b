import Foundation
import Testing
@testable import ScribaAudio

@Suite struct WAVWriterTests {
    @Test func int16RoundTripsStepsExactlyAndClips() throws {
        let audio = AudioBuffer(samples: [0, 0.5, -0.25, Float(12345) / 32768, 1.5, -2, .nan], sampleRate: 22_050)
        let data = WAVWriter.encode(audio)
        #expect(data.count == 44 + 7 * 2)
        #expect(Array(data.prefix(4)) == Array("RIFF".utf8))
        let (info, samples) = try WAVReader.read(data, source: "w.wav")
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_s16le", sampleRate: 22_050, channels: 1, frameCount: 7))
        #expect(samples == [0, 0.5, -0.25, Float(12345) / 32768, Float(32767) / 32768, -1, 0])
    }

    @Test func float32RoundTripsExactly() throws {
        let values: [Float] = [0.1, -0.333, 1.25, 0]
        let data = WAVWriter.encode(AudioBuffer(samples: values, sampleRate: 16_000), format: .float32)
        #expect(data.count == 44 + 4 * 4)
        let (info, samples) = try WAVReader.read(data, source: "w.wav")
        #expect(info.codec == "pcm_f32le")
        #expect(samples == values)
    }

    @Test func writeReplacesAtomicallyAndLeavesNoTempFiles() throws {
        let folder = try makeTempFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.wav")
        try Data("old".utf8).write(to: url)
        let audio = AudioBuffer(samples: [0.5, -0.5, 0.25], sampleRate: 16_000)
        try WAVWriter.write(audio, to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.wav"])
        let loaded = try AudioFile.load(url)
        #expect(loaded.audio == audio)
    }

    @Test func writeIntoMissingFolderIsATypedError() {
        let url = URL(fileURLWithPath: "/nonexistent-scriba-folder/x.wav")
        #expect(throws: AudioError.self) { try WAVWriter.write(AudioBuffer(samples: [0], sampleRate: 16_000), to: url) }
        do {
            try WAVWriter.write(AudioBuffer(samples: [0], sampleRate: 16_000), to: url)
        } catch let error as AudioError {
            guard case .writeFailed(let path, _) = error else { Issue.record("wrong case \(error)"); return }
            #expect(path == url.path)
        } catch {
            Issue.record("untyped error \(error)")
        }
    }
}
