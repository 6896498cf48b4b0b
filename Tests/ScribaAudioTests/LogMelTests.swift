// LogMel vs reference features from transformers' WhisperFeatureExtractor as qwen-asr 0.0.6 calls it
// (Tests/Fixtures/mel, made by scripts/fixtures/make_mel_fixtures.py; see Tests/Fixtures/README.md).

import Foundation
import ScribaTensor
import Testing
import ScribaAudio
import ScribaTestSupport

/// Largest allowed |Swift − reference|; the reference's own float32 FFT noise is ~4e-5.
private let featureTolerance: Float = 1e-4

private struct MelManifest: Decodable {
    struct Clip: Decodable { let name: String; let file: String; let samples: Int }
    struct Case: Decodable {
        let name: String, clip: String, melBins: Int, padToSamples: Int?
        let file: String, shape: [Int], attentionMaskFrames: Int?
    }
    struct Filterbank: Decodable { let melBins: Int; let file: String; let shape: [Int] }
    let sampleRate: Int
    let clips: [Clip]
    let cases: [Case]
    let filterbanks: [Filterbank]
}

private enum MelFixtures {
    static let directory = TestLocations.fixtures.appendingPathComponent("mel")

    static func manifest() throws -> MelManifest {
        try JSONDecoder().decode(MelManifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
    }

    /// Raw little-endian float32.
    static func floats(_ file: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(file))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    static func clip(_ name: String) throws -> [Float] {
        let m = try manifest()
        let clip = try #require(m.clips.first { $0.name == name })
        let samples = try floats(clip.file)
        #expect(samples.count == clip.samples)
        return samples
    }

    static let caseNames = [
        "qwen128_speech_en", "qwen128_speech_zh", "qwen128_chirp", "qwen128_silence",
        "qwen128_noise_short", "qwen128_batch_speech_zh", "numpy128_noise_tiny", "whisper80_speech_en",
    ]
}

private func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

@Suite struct LogMelTests {
    @Test(arguments: MelFixtures.caseNames)
    func matchesReferenceFeatures(caseName: String) throws {
        let manifest = try MelFixtures.manifest()
        let fixture = try #require(manifest.cases.first { $0.name == caseName })
        let samples = try MelFixtures.clip(fixture.clip)
        let expected = try MelFixtures.floats(fixture.file)

        let features = LogMel(melBins: fixture.melBins).compute(samples, padToSamples: fixture.padToSamples)

        #expect(features.shape == fixture.shape)
        try #require(features.count == expected.count)
        let delta = maxAbsDifference(features.data, expected)
        print("LogMel \(caseName): shape \(features.shape), max |Δ| = \(delta)")
        #expect(delta <= featureTolerance, "\(caseName): max |Δ| \(delta) > \(featureTolerance)")
    }

    @Test func frameCountIsSamplesDividedByHop() throws {
        let mel = LogMel(melBins: 128)
        // torch.stft(center=True) gives 1 + N/160 frames; the extractor drops the last → N/160.
        #expect(mel.frameCount(samples: 0) == 0)
        #expect(mel.frameCount(samples: 159) == 0)
        #expect(mel.frameCount(samples: 160) == 1)
        #expect(mel.frameCount(samples: 170) == 1)
        #expect(mel.frameCount(samples: 16_000) == 100)
        #expect(mel.frameCount(samples: 51_278) == 320)  // 51 278 / 160 = 320.49
        #expect(mel.frameCount(samples: 39_973) == 249)  // 249.83
        #expect(mel.frameCount(samples: LogMel.whisperChunkSamples) == LogMel.whisperChunkFrames)

        // Unpadded clips: the reference's attention mask has exactly as many frames as the features.
        let manifest = try MelFixtures.manifest()
        for fixture in manifest.cases where fixture.padToSamples == nil {
            let clip = try #require(manifest.clips.first { $0.name == fixture.clip })
            #expect(mel.frameCount(samples: clip.samples) == fixture.shape[1], "\(fixture.name)")
            if let mask = fixture.attentionMaskFrames { #expect(mask == fixture.shape[1], "\(fixture.name)") }
        }
        // Shorter than one hop: no frames, not an error.
        #expect(mel.compute([Float](repeating: 0.1, count: 159)).shape == [128, 0])
        #expect(mel.compute([]).shape == [128, 0])
    }

    @Test(arguments: [80, 128])
    func filterbankMatchesTransformersAndIsOrdered(melBins: Int) throws {
        let manifest = try MelFixtures.manifest()
        let fixture = try #require(manifest.filterbanks.first { $0.melBins == melBins })
        let expected = try MelFixtures.floats(fixture.file)
        let bank = LogMel(melBins: melBins).filterbank

        #expect([bank.melBins, bank.frequencyBins] == fixture.shape)
        // Largest weight is ~0.04; 1e-7 is a few Float ulps there.
        #expect(maxAbsDifference(bank.weights, expected) <= 1e-7)

        #expect(bank.edgeFrequencies.first == 0)
        #expect(abs(bank.edgeFrequencies.last! - 8000) < 1e-6)
        let binHertz = 8000.0 / 200  // FFT bin spacing at 16 kHz, nFFT 400
        var previousCentroid = -1.0
        var previousPeakBin = -1
        for m in 0..<melBins {
            let row = Array(bank.weights[(m * 201)..<((m + 1) * 201)])
            let peakBin = try #require(row.indices.max { row[$0] < row[$1] })
            let centroid = try #require(bank.centroidFrequency(ofFilter: m, sampleRate: 16_000), "filter \(m) is empty")
            // A filter narrower than two FFT bins (80 Hz; the 128-bin bank below 1 kHz) can weigh the same
            // single bin as its neighbour, so only there may the discrete peak repeat.
            let width = bank.edgeFrequencies[m + 2] - bank.edgeFrequencies[m]
            if width >= 2 * binHertz {
                #expect(centroid > previousCentroid, "filter \(m) centroid \(centroid) Hz not above \(previousCentroid) Hz")
            } else {
                #expect(centroid >= previousCentroid, "filter \(m) centroid \(centroid) Hz below \(previousCentroid) Hz")
            }
            #expect(peakBin >= previousPeakBin, "filter \(m) peaks at bin \(peakBin), before \(previousPeakBin)")
            #expect(bank.edgeFrequencies[m + 1] > bank.edgeFrequencies[m])
            previousCentroid = centroid
            previousPeakBin = peakBin
        }
    }

    @Test func slaneyScaleIsLinearBelow1kHzAndLogAbove() {
        #expect(MelFilterbank.hertzToMel(1000) == 15)
        #expect(abs(MelFilterbank.hertzToMel(500) - 7.5) < 1e-12)
        // 6.4 × 1 kHz is 27 mel above 1 kHz by construction of the log step.
        #expect(abs(MelFilterbank.hertzToMel(6400) - 42) < 1e-9)
        for hz in [0.0, 123.0, 999.0, 1000.0, 4321.0, 8000.0] {
            #expect(abs(MelFilterbank.melToHertz(MelFilterbank.hertzToMel(hz)) - hz) < 1e-9)
        }
    }

    @Test func silenceIsTheFloorEverywhere() {
        // log10(1e-10) = −10; the max is −10 too, so the clamp changes nothing: (−10 + 4) / 4 = −1.5.
        let features = LogMel(melBins: 128).compute([Float](repeating: 0, count: 16_000))
        #expect(features.shape == [128, 100])
        #expect(features.data.allSatisfy { abs($0 + 1.5) < 1e-6 })
    }

    @Test func trailingSilenceSitsExactlyEightDecadesBelowThePeak() throws {
        // Speech followed by 1 s of zeros: every value ≥ (peak − 8 + 4) / 4 = peakValue − 2, and the
        // silent frames sit exactly there.
        let speech = try MelFixtures.clip("speech_en")
        let padded = speech.count + 16_000
        let features = LogMel(melBins: 128).compute(speech, padToSamples: padded)
        let frames = features.shape[1]
        #expect(frames == padded / 160)
        let peak = try #require(features.data.max())
        let floor = peak - 2
        #expect(features.data.allSatisfy { $0 >= floor - 1e-6 })
        // Frames from 2 frames after the speech ends (the 400-sample window has left it) are silent.
        let lastSpeechFrame = (speech.count + 200) / 160 + 1
        for t in (lastSpeechFrame + 1)..<frames {
            for m in 0..<128 { #expect(abs(features.data[m * frames + t] - floor) < 1e-6) }
        }
    }

    @Test func padToSamplesCutsLongClips() throws {
        let speech = try MelFixtures.clip("speech_en")
        let mel = LogMel(melBins: 80)
        let cut = mel.compute(speech, padToSamples: 20_000)
        let prefix = mel.compute(Array(speech.prefix(20_000)))
        #expect(cut.shape == [80, 125])
        // Not bit-equal: OpenBLAS splits an sgemm by the threads free at that moment, and its tail
        // kernels round differently, so two equal products can differ in the last bits while other
        // tests run BLAS. Equal up to float rounding is what "cut like the prefix" means.
        let worst = zip(cut.data, prefix.data).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "max |Δ| = \(worst)")
    }

    @Test func toneLandsInTheFilterAroundItsFrequency() throws {
        // 1 kHz sits on FFT bin 25 (40 Hz per bin); the loudest mel bin must be the filter weighing
        // bin 25 most.
        let tone = (0..<8_000).map { Float(0.5 * sin(2 * Double.pi * 1000 * Double($0) / 16_000)) }
        let mel = LogMel(melBins: 128)
        let features = mel.compute(tone)
        let frames = features.shape[1]
        let column = (0..<128).map { features.data[$0 * frames + frames / 2] }
        let loudest = try #require(column.indices.max { column[$0] < column[$1] })
        let expected = try #require((0..<128).max { mel.filterbank.weights[$0 * 201 + 25] < mel.filterbank.weights[$1 * 201 + 25] })
        #expect(loudest == expected)
        #expect(column[loudest] > column[0] + 1)  // ≥ 4 decades above the 0 Hz filter
    }

    @Test(arguments: [(255, 100), (400, 160)])
    func foldedDFTMatchesDirectDoubleDFT(nFFT: Int, hop: Int) throws {
        // Independent check of the even/odd fold for odd and even nFFT: a direct Double DFT of the same
        // reflect-padded, Hann-windowed frames through the same filterbank.
        let samples = (0..<2_000).map { (i: Int) -> Float in
            let x = Double(i)
            let low: Double = 0.4 * sin(0.031 * x)
            let high: Double = 0.2 * sin(0.77 * x + 1)
            return Float(low + high)
        }
        let mel = LogMel(melBins: 40, nFFT: nFFT, hopLength: hop)
        let features = mel.compute(samples)
        let half = nFFT / 2, bins = nFFT / 2 + 1, n = samples.count
        // torch.stft frames minus the dropped last one: (n + 2·⌊N/2⌋ − N) / hop → 19 for odd N = 255.
        let frames = (n + 2 * half - nFFT) / hop
        #expect(features.shape == [40, frames])
        var power = [Double](repeating: 0, count: bins)
        var expected = [Float](repeating: 0, count: 40 * frames)
        for t in 0..<frames {
            for k in 0..<bins {
                var re = 0.0, im = 0.0
                for j in 0..<nFFT {
                    var i = t * hop + j - half
                    if i < 0 { i = -i } else if i >= n { i = 2 * (n - 1) - i }
                    let w = 0.5 - 0.5 * cos(2 * Double.pi * Double(j) / Double(nFFT))
                    let angle = 2 * Double.pi * Double(j * k) / Double(nFFT)
                    re += w * Double(samples[i]) * cos(angle)
                    im -= w * Double(samples[i]) * sin(angle)
                }
                power[k] = re * re + im * im
            }
            for m in 0..<40 {
                var sum = 0.0
                for k in 0..<bins { sum += Double(mel.filterbank.weights[m * bins + k]) * power[k] }
                expected[m * frames + t] = Float(log10(max(sum, 1e-10)))
            }
        }
        let peak = try #require(expected.max())
        expected = expected.map { (max($0, peak - 8) + 4) / 4 }
        let delta = maxAbsDifference(features.data, expected)
        print("LogMel folded DFT nFFT \(nFFT): max |Δ| vs Double DFT = \(delta)")
        #expect(delta <= featureTolerance)
    }
}
