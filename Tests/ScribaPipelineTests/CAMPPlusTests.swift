import Foundation
import Testing
import ScribaAudio
import ScribaModels
import ScribaTestSupport

// Scriba's KaldiFbank and native CAM++ against torchaudio's kaldi.fbank and the 3D-Speaker model's torch
// forward pass (Tests/Fixtures/diarization/campplus.json, scripts/fixtures/make_campplus_fixtures.py), on
// pieces of the LibriVox clips from 0.5 s to 7.1 s. Weights: scripts/fetch-diarization-models.

struct CAMPPlusReference: Decodable {
    struct Piece: Decodable {
        var clip: String
        var first: Int
        var samples: Int
        var frames: Int
        var embedding: [Float]
        var fbank: [Float]?
    }
    var pieces: [Piece]

    static func load() throws -> CAMPPlusReference {
        try JSONDecoder().decode(Self.self, from: Data(contentsOf: TestLocations.fixtures.appendingPathComponent("diarization/campplus.json")))
    }

    static func samples(_ piece: Piece) throws -> ArraySlice<Float> {
        let clip = try AudioFile.load(TestLocations.fixtures.appendingPathComponent("whisper/\(piece.clip).wav")).audio.samples
        return clip[piece.first..<(piece.first + piece.samples)]
    }
}

struct KaldiFbankTests {
    @Test func featuresEqualTorchaudio() throws {
        let piece = try #require(try CAMPPlusReference.load().pieces.first { $0.fbank != nil })
        let features = KaldiFbank().features(try CAMPPlusReference.samples(piece))
        #expect(KaldiFbank.frameCount(samples: piece.samples) == piece.frames)
        #expect(features.count == piece.frames * KaldiFbank.melBins)
        let worst = zip(features, piece.fbank ?? []).map { abs($0 - $1) }.max() ?? .infinity
        print("fbank \(piece.frames) frames: max |Δ| vs torchaudio = \(worst)")
        #expect(worst <= 1e-3, "max |Δ| = \(worst)")
    }

    @Test func frameCountsSnipTheEdges() {
        #expect(KaldiFbank.frameCount(samples: 399) == 0)
        #expect(KaldiFbank.frameCount(samples: 400) == 1)
        #expect(KaldiFbank.frameCount(samples: 16_000) == 98)
    }
}

@Suite(.enabled(if: TestLocations.hasDiarizationModels, Comment(rawValue: TestLocations.diarizationModelsMissing)))
struct CAMPPlusTests {
    static let model = Result { try CAMPPlus(folder: TestLocations.diarizationModel(CAMPPlus.folderName)) }

    @Test func embeddingsEqualTheTorchModel() throws {
        let model = try Self.model.get()
        let fbank = KaldiFbank()
        for piece in try CAMPPlusReference.load().pieces {
            let features = fbank.features(try CAMPPlusReference.samples(piece))
            let embedding = model.embedding(fbank: features, frames: features.count / KaldiFbank.melBins)
            #expect(embedding.count == CAMPPlus.embeddingSize)
            let worst = zip(embedding, piece.embedding).map { abs($0 - $1) }.max() ?? .infinity
            print("CAM++ \(piece.clip) \(piece.samples) samples: max |Δ| vs torch = \(worst)")
            #expect(worst <= 1e-4, "\(piece.clip): max |Δ| = \(worst)")
        }
    }

    @Test func aSegmentationCheckpointIsNotACAMPPlusOne() throws {
        let segmentation = TestLocations.diarizationModel(PyannoteSegmentation.folderName)
        #expect(throws: ModelLoadError.self) { try CAMPPlus(folder: segmentation) }
    }
}
