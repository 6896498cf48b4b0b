import Foundation
import Testing
import ScribaAudio
@testable import ScribaModels
import ScribaTensor
import ScribaTestSupport

// Scriba's native pyannote segmentation-3.0 against pyannote.audio 4.0.7's PyanNet forward pass
// (Tests/Fixtures/diarization/segmentation.json, scripts/fixtures/make_segmentation_fixtures.py) on
// windows cut from the LibriVox clips: every class probability of every frame within 1e-4, the same
// decoded class on every frame. Log-probabilities: the model builds its sinc filters from their band
// edges in float32 (phases up to ~390 rad), and its output is so sensitive to them that torch's float32
// forward is up to 1.8e-3 from the float64 one through the filter bank alone (make_segmentation_fixtures.py
// measures it; the float32 LSTMs and head add < 1e-5). Scriba's filters are torch's to ~1e-6. With its
// products on one BLAS thread, as SpeakerDiarizer runs them, Scriba's log-probabilities are within 1e-4 of
// torch's (8.0e-5, 6.8e-5, 3.9e-5 measured); OpenBLAS's 2-thread sgemm rounds differently and moves them
// by up to ~5.5e-4, still as far from float64's as torch's float32 ones are.
// The weights come from scripts/fetch-diarization-models (.ci/run fetches them).

@Suite(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
struct PyannoteSegmentationTests {
    struct Reference: Decodable {
        struct Window: Decodable {
            var pieces: [[PieceField]]
            var samples: Int
            var frames: Int
            var log_probabilities: [Float]
            var log_probabilities_f64: [Double]
        }
        var windows: [Window]
        /// torch's float32 filter bank [80 × 251], little-endian float32 bytes in base64.
        var sinc_filters_f32le_base64: String

        var sincFilters: [Float] {
            let bytes = Data(base64Encoded: sinc_filters_f32le_base64) ?? Data()
            return bytes.withUnsafeBytes { raw in (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        }
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
        // One BLAS thread, as the diarizer runs the model. BLAS threads are process-wide: another test
        // may change them meanwhile, and then only the looser bound is asserted.
        let previousThreads = BLAS.threads
        BLAS.setThreads(1)
        let outputs = try Self.outputs(of: model, reference: reference)
        let oneThread = BLAS.threads == 1
        BLAS.setThreads(previousThreads)
        for (window, output) in outputs {
            // Probabilities within 1e-4 (the quantity decoding reads) and the same decoded class.
            let worst = zip(output, window.log_probabilities).map { abs(exp($0) - exp($1)) }.max() ?? .infinity
            let worstLog = zip(output, window.log_probabilities).map { abs($0 - $1) }.max() ?? .infinity
            let scribaToF64 = zip(output, window.log_probabilities_f64).map { abs(Double($0) - $1) }.max() ?? .infinity
            let torchToF64 = zip(window.log_probabilities, window.log_probabilities_f64).map { abs(Double($0) - $1) }.max() ?? 0
            print("segmentation \(window.samples) samples: \(window.frames) frames, max |Δp| vs torch = \(worst), max |Δ log p| = \(worstLog); "
                  + "to float64: Scriba \(scribaToF64), torch float32 \(torchToF64)")
            #expect(worst <= 1e-4, "max |Δp| = \(worst)")
            #expect(worstLog <= (oneThread ? 1e-4 : 6e-4), "max |Δ log p| = \(worstLog), one BLAS thread: \(oneThread)")
            // Both float32 forwards are about equally far from float64 (their filter banks' rounding).
            #expect(scribaToF64 <= 1.5 * torchToF64, "max |Δ log p| to float64: Scriba \(scribaToF64), torch float32 \(torchToF64)")
            let argmax = { (row: ArraySlice<Float>) in row.indices.max { row[$0] < row[$1] }! - row.startIndex }
            let disagreements = (0..<window.frames).filter {
                argmax(output[($0 * 7)..<($0 * 7 + 7)]) != argmax(window.log_probabilities[($0 * 7)..<($0 * 7 + 7)])
            }
            #expect(disagreements.isEmpty, "frames whose decoded class differs: \(disagreements)")
        }
    }

    /// The sinc filters Scriba builds from the checkpoint's band edges (float32, as torch) are torch's
    /// to the last bits (libm sin vs torch's vectorised sin at phases up to ~390 rad).
    @Test func theSincFilterBankIsTorchs() throws {
        let torchFilters = try Self.reference().sincFilters
        #expect(torchFilters.count == 80 * 251)
        let gap = zip(try Self.model.get().sincKernel, torchFilters).map { abs($0 - $1) }.max() ?? .infinity
        print("sinc filter bank vs torch's: max |Δ| \(gap)")
        #expect(gap <= 2e-6, "max |Δ| = \(gap)")
    }

    /// Scriba's output per fixture window: the two 10 s windows as one batch (the LSTMs walk them
    /// together), the 6 s one alone.
    static func outputs(of model: PyannoteSegmentation, reference: Reference) throws -> [(Reference.Window, [Float])] {
        let tenSecond = reference.windows.filter { $0.samples == PyannoteSegmentation.windowSamples }
        #expect(tenSecond.count == 2)
        var result: [(Reference.Window, [Float])] = []
        for batch in [tenSecond, reference.windows.filter { $0.samples != PyannoteSegmentation.windowSamples }] {
            let outputs = model.logProbabilities(windows: try batch.map(Self.samples))
            for (window, output) in zip(batch, outputs) {
                #expect(output.count == window.frames * 7 && output.count == window.log_probabilities.count)
                result.append((window, output))
            }
        }
        return result
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
