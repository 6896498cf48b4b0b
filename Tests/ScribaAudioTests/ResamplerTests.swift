import Foundation
import Testing
@testable import ScribaAudio

@Suite struct ResamplerTests {
    /// Output samples within the filter's reach of either end see zero padding; the longest filter
    /// here (8 kHz → 16 kHz) reaches 48 input = 96 output samples, so 200 is safely past it.
    static let edge = 200

    /// SNR in dB of `output` against a sine of `frequency` at `rate`, ignoring the edges.
    static func snr(_ output: [Float], frequency: Double, rate: Int, amplitude: Double = 0.5) -> Double {
        let ideal = sine(frequency: frequency, rate: rate, count: output.count, amplitude: amplitude)
        var signal = 0.0, noise = 0.0
        for i in edge..<(output.count - edge) {
            signal += Double(ideal[i]) * Double(ideal[i])
            noise += Double(output[i] - ideal[i]) * Double(output[i] - ideal[i])
        }
        return 10 * log10(signal / noise)
    }

    static func gainDB(frequency: Double, from rate: Int, to target: Int = 16_000) -> Double {
        let input = sine(frequency: frequency, rate: rate, count: rate)
        let output = Resampler.resample(input, from: rate, to: target)
        return 20 * log10(rms(output[edge..<(output.count - edge)]) / (0.5 / 2.0.squareRoot()))
    }

    static func zeroCrossings(_ x: ArraySlice<Float>) -> Int {
        zip(x, x.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
    }

    @Test(arguments: [44_100, 48_000, 22_050, 8_000, 32_000])
    func oneKilohertzSineKeepsFrequencyWithSNRAbove60dB(rate: Int) {
        let output = Resampler.resample(sine(frequency: 1000, rate: rate, count: rate), from: rate, to: 16_000)
        #expect(output.count == 16_000)
        let snr = Self.snr(output, frequency: 1000, rate: 16_000)
        print("resample \(rate) → 16000 Hz, 1 kHz sine: SNR \(String(format: "%.1f", snr)) dB")
        #expect(snr >= 60)
        // 1 kHz over 15 600 interior samples (0.975 s) crosses zero 2 × 975 = 1950 times (±1 at the ends).
        #expect(abs(Self.zeroCrossings(output[Self.edge..<(16_000 - Self.edge)]) - 1950) <= 1)
    }

    @Test func passbandToneAt7500HzLosesAtMostOneDecibel() {
        let gain = Self.gainDB(frequency: 7500, from: 44_100)
        print("resample 44100 → 16000 Hz, 7.5 kHz tone: gain \(String(format: "%.3f", gain)) dB")
        #expect(gain >= -1 && gain <= 0.1)
    }

    @Test func tenKilohertzToneIsAttenuatedAtLeast40dB() {
        let gain = Self.gainDB(frequency: 10_000, from: 44_100)
        print("resample 44100 → 16000 Hz, 10 kHz tone: gain \(String(format: "%.1f", gain)) dB")
        #expect(gain <= -40)
        let gain48 = Self.gainDB(frequency: 10_000, from: 48_000)
        print("resample 48000 → 16000 Hz, 10 kHz tone: gain \(String(format: "%.1f", gain48)) dB")
        #expect(gain48 <= -40)
    }

    @Test func ratiosNeedingPhaseRoundingStillMeet60dB() {
        // 44100 → 16001 has 16001 phases, more than maxPhases: the rounded-phase path.
        let output = Resampler.resample(sine(frequency: 1000, rate: 44_100, count: 44_100), from: 44_100, to: 16_001)
        #expect(output.count == 16_001)
        let snr = Self.snr(output, frequency: 1000, rate: 16_001)
        print("resample 44100 → 16001 Hz, 1 kHz sine: SNR \(String(format: "%.1f", snr)) dB")
        #expect(snr >= 60)
    }

    @Test func outputLengthIsCeilingOfScaledCount() {
        #expect(Resampler.resample([Float](repeating: 0, count: 44_101), from: 44_100, to: 16_000).count == 16_001) // 16000.36
        #expect(Resampler.resample([Float](repeating: 0, count: 441), from: 44_100, to: 16_000).count == 160)
        #expect(Resampler.resample([Float](repeating: 0, count: 3), from: 8_000, to: 16_000).count == 6)
        #expect(Resampler.resample([Float](repeating: 0, count: 1), from: 48_000, to: 16_000).count == 1)
    }

    @Test func constantStaysConstantAwayFromTheEdges() {
        let output = Resampler.resample([Float](repeating: 0.25, count: 4410), from: 44_100, to: 16_000)
        let interior = output[Self.edge..<(output.count - Self.edge)]
        #expect(interior.allSatisfy { abs($0 - 0.25) < 1e-6 })
    }

    @Test func equalOrInvalidRates() {
        let x: [Float] = [1, 2, 3]
        #expect(Resampler.resample(x, from: 16_000, to: 16_000) == x)
        #expect(Resampler.resample(x, from: 0, to: 16_000).isEmpty)
        #expect(Resampler.resample(x, from: 16_000, to: -1).isEmpty)
        #expect(Resampler.resample(x, from: 4_000_000_000, to: 16_000).isEmpty)
        #expect(Resampler.resample([], from: 44_100, to: 16_000).isEmpty)
    }
}

@Suite struct DownmixTests {
    @Test func averagesChannelsAndDropsPartialFrame() {
        #expect(Downmix.mono([1, 0, 0.5, -0.5, 0.25], channels: 2) == [0.5, 0])
        #expect(Downmix.mono([0.3, 0.3, 0.6, 3, 0, 0], channels: 3).map { ($0 * 1000).rounded() / 1000 } == [0.4, 1])
        #expect(Downmix.mono([0.7], channels: 1) == [0.7])
        #expect(Downmix.mono([0.7], channels: 0).isEmpty)
    }
}
