import Foundation
import Testing
import ScribaTensor
@testable import ScribaModels
import ScribaTestSupport

/// faster-whisper 1.2.1 / CTranslate2 4.8.5 reference runs on librivox-0870 (Tests/Fixtures/README.md), fed the
/// reference's own log-mel (`librivox-0870.mel.f32`), so these tests check the engine alone.
enum WhisperReference {
    nonisolated(unsafe) static let json: [String: Any] = {
        let url = CT2Fixtures.whisper.appendingPathComponent("librivox-0870.reference.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    /// [80, 711] float32 little-endian.
    static func mel() throws -> Tensor {
        let data = try Data(contentsOf: CT2Fixtures.whisper.appendingPathComponent("librivox-0870.mel.f32"))
        let values = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return Tensor(shape: [80, values.count / 80], data: values)
    }

    static func run(language: String?, withoutTimestamps: Bool) -> [String: Any] {
        let runs = json["runs"] as? [[String: Any]] ?? []
        return runs.first {
            ($0["language_argument"] as? String) == language && ($0["without_timestamps"] as? Bool) == withoutTimestamps
        } ?? [:]
    }
}

/// The model (in f32, the precision these tests hold equal to faster-whisper float32) and tokenizer,
/// loaded once for every test that needs them.
enum WhisperBase {
    static let loaded: Result<(WhisperModel, BPETokenizer), any Error> = Result {
        (try WhisperModel(folder: WhisperBaseLocation.folder, precision: .f32), try BPETokenizer.load(folder: WhisperBaseLocation.folder))
    }
    static func transcriber() throws -> WhisperTranscriber {
        let (model, tokenizer) = try loaded.get()
        return try WhisperTranscriber(model: model, tokenizer: tokenizer)
    }
}

@Suite(.serialized, .enabled(if: WhisperBaseLocation.isInstalled, Comment(rawValue: TestLocations.whisperBaseMissing)))
struct WhisperEngineTests {
    @Test func configIsDerivedFromTheWeightsAndConfigJSON() throws {
        let (model, _) = try WhisperBase.loaded.get()
        let c = model.config
        let sizes: [Int] = [c.melBins, c.modelDim, c.encoderLayers, c.decoderLayers, c.encoderHeads, c.decoderHeads, c.ffnDim,
                            c.vocabularySize, c.audioPositions, c.textPositions]
        #expect(sizes == [80, 512, 6, 6, 8, 8, 2048, 51865, 1500, 448])
        #expect(c.alignmentHeads.map { [$0.layer, $0.head] } == [[3, 1], [4, 2], [4, 3], [4, 7], [5, 1], [5, 2], [5, 4], [5, 6]])
        #expect(c.languageIDs.count == 99 && c.languageIDs.first == 50259)
        #expect(c.suppressIDs.count == 88 && c.suppressIDsBegin == [220, 50257])
    }

    @Test func encoderOutputMatchesTheReferenceSummary() throws {
        let transcriber = try WhisperTranscriber(model: try WhisperBase.loaded.get().0, tokenizer: try WhisperBase.loaded.get().1)
        let mel = try WhisperReference.mel()
        // The decoder window: the 710 content frames, zero-padded to 3000.
        var window = [Float](repeating: 0, count: 80 * 3000)
        for b in 0..<80 { for f in 0..<710 { window[b * 3000 + f] = mel.data[b * 711 + f] } }
        window.withUnsafeBufferPointer { transcriber.session.encode(mel: $0.baseAddress!) }
        let output = Array(UnsafeBufferPointer(start: transcriber.session.encoderOutput, count: 1500 * 512))
        let summary = WhisperReference.json["encoder_output"] as! [String: Any]
        let mean = output.reduce(0.0) { $0 + Double($1) } / Double(output.count)
        let std = (output.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(output.count)).squareRoot()
        #expect(abs(mean - (summary["mean"] as! Double)) < 1e-5)
        #expect(abs(std - (summary["std"] as! Double)) < 1e-5)
        var maxDelta: Float = 0
        for (row, values) in summary["rows"] as! [String: [Double]] {
            let r = Int(row)!
            for (i, v) in values.enumerated() { maxDelta = max(maxDelta, abs(output[r * 512 + i] - Float(v))) }
        }
        #expect(maxDelta < 1e-3, "max |Δ| over the 40 reference values: \(maxDelta)")
    }

    @Test func languageDetectionMatchesTheReference() throws {
        let transcriber = try WhisperBase.transcriber()
        let detection = try transcriber.detectLanguage(mel: try WhisperReference.mel())
        let reference = WhisperReference.json["detect_language"] as! [String: Any]
        #expect(detection.language == "en")
        #expect(abs(detection.probability - (reference["probability"] as! Double)) < 1e-3)
        let all = reference["all"] as! [[Any]]
        #expect(detection.all.count == all.count)
        var maxDelta = 0.0
        let ours = Dictionary(uniqueKeysWithValues: detection.all.map { ($0.code, $0.probability) })
        for pair in all { maxDelta = max(maxDelta, abs((ours[pair[0] as! String] ?? -1) - (pair[1] as! Double))) }
        #expect(maxDelta < 1e-3, "max |Δ| over 99 language probabilities: \(maxDelta)")
        #expect(detection.all.prefix(3).map(\.code) == ["en", "la", "nn"])
    }

    @Test(arguments: [("en", false), ("en", true), (nil, false), (nil, true)] as [(String?, Bool)])
    func greedyDecodingEqualsFasterWhisper(language: String?, withoutTimestamps: Bool) throws {
        let transcriber = try WhisperBase.transcriber()
        var options = WhisperOptions(language: language, withoutTimestamps: withoutTimestamps, wordTimestamps: true)
        options.temperatures = [0]
        let result = try transcriber.transcribe(mel: try WhisperReference.mel(), options: options)
        let reference = WhisperReference.run(language: language, withoutTimestamps: withoutTimestamps)
        let calls = reference["generate_calls"] as! [[String: Any]]
        #expect(result.calls.count == calls.count)
        for (ours, theirs) in zip(result.calls, calls) {
            #expect(ours.windowFrames == theirs["window_frames"] as! Int)
            #expect(ours.prompt == theirs["prompt"] as! [Int])
            #expect(ours.generated == theirs["generated"] as! [Int])
            #expect(abs(ours.averageLogProb - (theirs["avg_logprob"] as! Double)) < 1e-3)
            #expect(abs(ours.noSpeechProbability - (theirs["no_speech_prob"] as! Double)) < 1e-3)
        }
        #expect(result.language == "en")
        #expect(abs(result.languageProbability - (reference["language_probability"] as! Double)) < 1e-3)
        let segments = reference["segments"] as! [[String: Any]]
        #expect(result.segments.map(\.text) == segments.map { $0["text"] as! String })
        #expect(result.segments.map(\.tokens) == segments.map { $0["tokens"] as! [Int] })
        var maxDelta = 0.0
        for (ours, theirs) in zip(result.segments, segments) {
            #expect(abs(ours.start - (theirs["start"] as! Double)) < 1e-9 && abs(ours.end - (theirs["end"] as! Double)) < 1e-9)
            let words = theirs["words"] as! [[String: Any]]
            let mine = ours.words ?? []
            #expect(mine.map(\.word) == words.map { $0["word"] as! String })
            for (w, r) in zip(mine, words) {
                maxDelta = max(maxDelta, abs(w.start - (r["start"] as! Double)), abs(w.end - (r["end"] as! Double)))
                #expect(abs(w.probability - (r["probability"] as! Double)) < 1e-3, "\(w.word)")
            }
        }
        #expect(maxDelta <= 0.02 + 1e-9, "max word-time |Δ| \(maxDelta) s")
        print("whisper \(language ?? "auto") timestamps=\(!withoutTimestamps): max word-time |Δ| = \(maxDelta) s")
    }
}
