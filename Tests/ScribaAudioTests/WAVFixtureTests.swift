import Foundation
import Testing
@testable import ScribaAudio

/// WAV files written by ffmpeg and sox (see Tests/Fixtures/README.md), so the reader is
/// checked against headers we did not write ourselves.
@Suite struct WAVFixtureTests {
    private func read(_ name: String) throws -> (info: AudioSourceInfo, interleaved: [Float]) {
        try WAVReader.read(Data(contentsOf: audioFixtureURL(name)), source: name)
    }

    @Test func ffmpegExtensible24BitStereoWithListChunk() throws {
        let (info, samples) = try read("ffmpeg-s24-stereo-22050.wav")
        // 0.25 s × 22050 Hz = 5512.5 → ffmpeg emits 5513 frames.
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_s24le", sampleRate: 22_050, channels: 2, frameCount: 5513))
        // ffmpeg's sine source (amplitude 1/8) upmixed to stereo at -3 dB: 0.125 / √2 in each channel.
        let amplitude = 0.125 / 2.0.squareRoot()
        var worst: Double = 0
        for n in 0..<info.frameCount {
            let ideal = amplitude * sin(2 * Double.pi * 440 * Double(n) / 22_050)
            worst = max(worst, abs(Double(samples[2 * n]) - ideal), abs(Double(samples[2 * n + 1]) - ideal))
        }
        #expect(worst < 5e-5, "worst \(worst)") // measured 3.6e-5: ffmpeg's fixed-point sine table
    }

    @Test func ffmpegPipeOutputWithUnknownSizes() throws {
        let (info, samples) = try read("ffmpeg-pipe-s16-mono-8000.wav")
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_s16le", sampleRate: 8_000, channels: 1, frameCount: 4000))
        let ideal = sine(frequency: 1000, rate: 8000, count: samples.count, amplitude: 0.125)
        let worst = zip(samples, ideal).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1.01 / 32768, "worst \(worst)") // 16-bit rounding: half a step plus sine-table error
    }

    @Test func soxUnsigned8BitThreeChannelsWithFactChunkAndPadByte() throws {
        let (info, samples) = try read("sox-u8-3ch-11025.wav")
        // 0.2 s × 11025 Hz = 2205 frames × 3 bytes = 6615 data bytes (odd, so a pad byte follows).
        #expect(info == AudioSourceInfo(container: "wav", codec: "pcm_u8", sampleRate: 11_025, channels: 3, frameCount: 2205))
        for (channel, frequency) in [300.0, 600, 900].enumerated() {
            let channelSamples = stride(from: channel, to: samples.count, by: 3).map { samples[$0] }
            // Half-amplitude sine: RMS 0.5 / √2 = 0.354; 8-bit steps keep it within 2 %.
            #expect(abs(rms(channelSamples) / (0.5 / 2.0.squareRoot()) - 1) < 0.02)
            // f Hz for 0.2 s crosses zero 2 × 0.2 × f times.
            let crossings = ResamplerTests.zeroCrossings(channelSamples[...])
            #expect(abs(crossings - Int(0.4 * frequency)) <= 2, "channel \(channel): \(crossings) crossings")
        }
    }

    @Test func fixtureLoadsThroughAudioFileAt16kHz() throws {
        let decoded = try AudioFile.load(audioFixtureURL("ffmpeg-s24-stereo-22050.wav"), ffmpegSearchPath: AudioFileTests.noFFmpeg)
        // ceil(5513 × 16000 / 22050) = ceil(4000.36) = 4001.
        #expect(decoded.audio.samples.count == 4001)
        let snr = ResamplerTests.snr(decoded.audio.samples, frequency: 440, rate: 16_000, amplitude: 0.125 / 2.0.squareRoot())
        #expect(snr > 60, "SNR \(snr)")
    }
}
