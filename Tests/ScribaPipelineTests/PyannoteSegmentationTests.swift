import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTestSupport

// Scriba's native pyannote segmentation-3.0 against pyannote.audio 4.0.7's PyanNet forward pass
// (Tests/Fixtures/diarization/segmentation.json, scripts/fixtures/make_segmentation_fixtures.py) on
// windows cut from the LibriVox clips: every class probability of every frame within 1e-4, the same
// decoded class on every frame.
// The weights come from scripts/fetch-diarization-models (.ci/run fetches them).

@Suite(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
struct PyannoteSegmentationTests {
    struct Reference: Decodable {
        struct Window: Decodable {
            var pieces: [[PieceField]]
            var samples: Int
            var frames: Int
            var log_probabilities: [Float]
        }
        var windows: [Window]
    }

    /// A recipe piece is [clip name, first sample, sample count].
    enum PieceField: Decodable {
        case text(String), number(Int)
        init(from decoder: Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let n = try? value.decode(Int.self) { self = .number(n) } else { self = .text(try value.decode(String.self)) }
        }
    }

    static let model = Result { try PyannoteSegmentation(folder: TestLocations.diarizationModel(PyannoteSegmentation.folderName)) }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TestLocations.fixtures.appendingPathComponent("diarization/segmentation.json")))
    }

    /// The window's samples, rebuilt from the clips as the fixture script cut them.
    static func samples(_ window: Reference.Window) throws -> [Float] {
        var samples: [Float] = []
        for piece in window.pieces {
            guard case .text(let name) = piece[0], case .number(let first) = piece[1], case .number(let count) = piece[2] else {
                throw CocoaError(.coderReadCorrupt)
            }
            let clip = try AudioFile.load(TestLocations.fixtures.appendingPathComponent("whisper/\(name).wav")).audio.samples
            samples += clip[first..<(first + count)]
        }
        return samples
    }

    @Test func frameCountsFollowTheConvolutions() {
        #expect(PyannoteSegmentation.frames(samples: PyannoteSegmentation.windowSamples) == 589)
        #expect(PyannoteSegmentation.frames(samples: 96_000) == 352)
        #expect(PyannoteSegmentation.frames(samples: 100) == 0)
    }

    @Test func logProbabilitiesEqualTheTorchModel() throws {
        let reference = try Self.reference()
        let model = try Self.model.get()
        // The two 10 s windows go through as one batch (the LSTMs walk them together), the 6 s one alone.
        let tenSecond = reference.windows.filter { $0.samples == PyannoteSegmentation.windowSamples }
        #expect(tenSecond.count == 2)
        let batches = [tenSecond, reference.windows.filter { $0.samples != PyannoteSegmentation.windowSamples }]
        for batch in batches {
            let outputs = model.logProbabilities(windows: try batch.map(Self.samples))
            for (window, output) in zip(batch, outputs) {
                #expect(output.count == window.frames * 7)
                #expect(output.count == window.log_probabilities.count)
                // Probabilities within 1e-4 (the quantity decoding reads); log-probabilities within 5e-4:
                // after 4 bidirectional LSTM layers over 589 steps float32 rounding reaches ~2e-4 in
                // the logits, as measured against torch here.
                let worst = zip(output, window.log_probabilities).map { abs(exp($0) - exp($1)) }.max() ?? .infinity
                let worstLog = zip(output, window.log_probabilities).map { abs($0 - $1) }.max() ?? .infinity
                print("segmentation \(window.samples) samples: \(window.frames) frames, max |Δp| vs torch = \(worst), max |Δ log p| = \(worstLog)")
                #expect(worst <= 1e-4, "max |Δp| = \(worst)")
                #expect(worstLog <= 5e-4, "max |Δ log p| = \(worstLog)")
                let argmax = { (row: ArraySlice<Float>) in row.indices.max { row[$0] < row[$1] }! - row.startIndex }
                let disagreements = (0..<window.frames).filter {
                    argmax(output[($0 * 7)..<($0 * 7 + 7)]) != argmax(window.log_probabilities[($0 * 7)..<($0 * 7 + 7)])
                }
                #expect(disagreements.isEmpty, "frames whose decoded class differs: \(disagreements)")
            }
        }
    }

    @Test func aFileThatIsNotTheModelIsRefusedByName() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        #expect(throws: ModelLoadError.self) { try PyannoteSegmentation(url: missing) }
        // The Silero VAD weights are a valid safetensors file without any of PyanNet's tensors.
        let silero = try ModelResources.locate(SileroVAD.weightsFile)
        do {
            _ = try PyannoteSegmentation(url: silero)
            Issue.record("Silero weights loaded as a segmentation model")
        } catch let error as ModelLoadError {
            #expect("\(error)".contains("sincnet.wav_norm1d.weight"))
        }
    }
}
