// Runs Scriba on one parity case and measures it against the official outputs, stage by stage, so
// a difference is located as well as detected: features (Scriba's log-mel vs the official
// extractor), the audio encoder (on the official features), the text decoder's hidden rows after
// every layer (the prompt's prefill), and the logits of every step. Steps are teacher-forced on the
// official ids through the same prefill and decode-step code greedy decoding runs, so every step is
// compared even after a first disagreement; free-running greedy ids are compared too.
//
// The encoder runs with the attention span the case's official outputs were made with (whole clip:
// the transformers CPU path; windowed: the encoder's own window mask), unless told otherwise.

import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor

/// max|a − b| over max|b|: the error relative to the largest reference value.
public func relativeMaxError(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    precondition(a.count == b.count)
    var delta: Float = 0, scale: Float = 0
    for (x, y) in zip(a, b) {
        delta = max(delta, abs(x - y))
        scale = max(scale, abs(y))
    }
    return scale > 0 ? delta / scale : delta
}

public struct ParityRunResult: Sendable {
    public var label: String
    /// Scriba's log-mel vs the official features: max |Δ|.
    public var featuresMaxAbs: Float
    /// Scriba's audio encoder on the official features: relative max error.
    public var encoderRelative: Float
    /// Decoder hidden rows (on the official features): relative max error after the embeddings
    /// (index 0) and after each layer.
    public var layerRelative: [Float]
    /// Scriba's prompt ids equal the official processor's.
    public var promptEqual: Bool
    /// Steps (ASR) or slots (aligner) compared.
    public var steps: Int
    /// Per step: max |Δ logit| / max |official logit| of that step, on the official features.
    public var stepRelative: [Float]
    /// Per step: Scriba's arg-max equals the official one (official features).
    public var top1Equal: [Bool]
    /// The same two on Scriba's own features (its log-mel, its prompt).
    public var ownStepRelative: [Float]
    public var ownTop1Equal: [Bool]
    /// Free-running greedy ids (own features, Scriba's budget) equal the official generate's (ASR);
    /// arg-max bins equal (aligner).
    public var greedyEqual: Bool
    /// Aligner: slots whose arg-max bin (own features) lies within ±1 bin (80 ms) of the official one;
    /// nil for ASR runs.
    public var binsWithinOne: Int?
    /// The official smallest top-2 logit margin over the run's steps (how near a tie it came).
    public var officialMinMargin: Double
    /// Per step: the official top-2 margin and largest |logit|.
    public var stepMargin: [Float] = []
    public var stepScale: [Float] = []

    public var worstStep: (index: Int, relative: Float) {
        stepRelative.enumerated().max { $0.element < $1.element }.map { ($0.offset, $0.element) } ?? (0, 0)
    }
    public var worstOwnRelative: Float { ownStepRelative.max() ?? 0 }
    /// The first layer (0 = embeddings) whose relative error exceeds `threshold`.
    public func firstLayer(over threshold: Float) -> Int? { layerRelative.firstIndex { $0 > threshold } }
    /// Whether step `i` is a tie within `tolerance`: logits that are each off by at most
    /// tolerance × max|logit| can swap two candidates closer than twice that, so the arg-max of such
    /// a step is not evidence either way (the official f32 and f64 runs differ by ~5e-6 themselves).
    public func isTie(_ i: Int, tolerance: Float) -> Bool { stepMargin[i] <= 2 * tolerance * stepScale[i] }
    /// Steps whose arg-max differs only at a tie within `tolerance` (own features included).
    public func tiesFlipped(tolerance: Float) -> Int {
        stepMargin.indices.filter { (!top1Equal[$0] || !ownTop1Equal[$0]) && isTie($0, tolerance: tolerance) }.count
    }
    /// Every step's relative error within `tolerance` on both feature sources, and its top-1 equal
    /// unless the official step is a tie within it; greedy ids equal unless such a tie flipped.
    public func passes(tolerance: Float) -> Bool {
        let top1 = stepMargin.indices.allSatisfy { (top1Equal[$0] && ownTop1Equal[$0]) || isTie($0, tolerance: tolerance) }
        return top1 && (greedyEqual || tiesFlipped(tolerance: tolerance) > 0)
            && (stepRelative.max() ?? 0) <= tolerance && worstOwnRelative <= tolerance
    }
}

public struct ParityRunner {
    /// Done-when bound of the parity issue: max |Δ logit| ≤ 1e-4 × the largest |logit| of the step.
    public static let logitTolerance: Float = 1e-4

    public var precision: WeightPrecision?
    /// nil: the case's own (`ParityCase.attention`).
    public var encoderAttention: Qwen3EncoderAttention?

    public init(precision: WeightPrecision? = .f32, encoderAttention: Qwen3EncoderAttention? = nil) {
        self.precision = precision
        self.encoderAttention = encoderAttention
    }

    public func run(_ parityCase: ParityCase) throws -> [ParityRunResult] {
        let model = try Qwen3ASR(folder: parityCase.modelFolder, encoderAttention: encoderAttention ?? parityCase.attention,
                                 precision: precision)
        return try parityCase.runs.map { try run($0, of: parityCase, model: model) }
    }

    private func run(_ run: ParityCase.Run, of parityCase: ParityCase, model: Qwen3ASR) throws -> ParityRunResult {
        let features = Tensor(shape: run.featuresShape, data: try parityCase.floats(run.features, shape: run.featuresShape))
        let samples = try AudioFile.load(parityCase.url(run.audio)).audio.samples
        let ownFeatures = LogMel(melBins: model.config.audio.numMelBins).compute(samples)
        let featuresMaxAbs = ownFeatures.shape == features.shape
            ? zip(ownFeatures.data, features.data).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) } : .infinity

        let officialEncoder = try parityCase.floats(run.encoder, shape: run.encoderShape)
        let encoded = try model.encodeAudio(mel: features)
        let encoderRelative = encoded.data.count == officialEncoder.count
            ? relativeMaxError(encoded.data[...], officialEncoder[...]) : .infinity
        let ownEncoded = try model.encodeAudio(mel: ownFeatures)

        let logits = try parityCase.floats(run.logits, shape: run.logitsShape)
        let width = run.logitsShape[1]
        let officialLayers = try parityCase.floats(run.layers, shape: run.layersShape)

        var result = ParityRunResult(
            label: run.label, featuresMaxAbs: featuresMaxAbs, encoderRelative: encoderRelative, layerRelative: [],
            promptEqual: false, steps: run.logitsShape[0], stepRelative: [], top1Equal: [], ownStepRelative: [],
            ownTop1Equal: [], greedyEqual: false, officialMinMargin: run.minTop2Margin)

        // Hidden rows at the official's positions, captured during the prefill on the official features.
        let wanted = Dictionary(run.layerRows.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let hiddenSize = model.config.text.hiddenSize
        var captured = [Float](repeating: .nan, count: officialLayers.count)
        model.layerObserver = { layer, rows, start, hidden in
            for r in 0..<rows {
                guard let slot = wanted[start + r] else { continue }
                let offset = ((layer + 1) * run.layerRows.count + slot) * hiddenSize
                guard offset + hiddenSize <= captured.count else { continue }
                for i in 0..<hiddenSize { captured[offset + i] = hidden[r * hiddenSize + i] }
            }
        }
        defer { model.layerObserver = nil }

        for step in 0..<run.logitsShape[0] {
            let row = logits[(step * width)..<((step + 1) * width)]
            var first = -Float.infinity, second = -Float.infinity, scale: Float = 0
            for x in row {
                scale = max(scale, abs(x))
                if x > first { (first, second) = (x, first) } else if x > second { second = x }
            }
            result.stepMargin.append(first - second)
            result.stepScale.append(scale)
        }

        func compare(_ rows: [[Float]]) -> ([Float], [Bool]) {
            var relative: [Float] = [], equal: [Bool] = []
            for (step, row) in rows.enumerated() {
                let reference = logits[(step * width)..<((step + 1) * width)]
                relative.append(row.count == width ? relativeMaxError(row[...], reference) : .infinity)
                equal.append(Self.argmax(row[...]) == Self.argmax(reference))
            }
            return (relative, equal)
        }

        if run.kind == "aligner" {
            guard let units = run.units, let bins = run.bins else { throw ParityError.mismatch("\(run.label): aligner run without units") }
            let aligner = try Qwen3ForcedAligner(model: model)
            let ids = aligner.inputIDs(units: units, audioTokens: encoded.shape[0])
            result.promptEqual = ids == run.inputIDs
            let official = try aligner.slotLogits(audio: encoded, units: units)
            model.layerObserver = nil
            (result.stepRelative, result.top1Equal) = compare(Self.rows(official.logits, width: width))
            let own = try aligner.slotLogits(audio: ownEncoded, units: units)
            (result.ownStepRelative, result.ownTop1Equal) = compare(Self.rows(own.logits, width: width))
            let ownBins = Self.rows(own.logits, width: width).map { Self.argmax($0[...]) }
            result.greedyEqual = ownBins == bins
            result.binsWithinOne = zip(ownBins, bins).filter { abs($0 - $1) <= 1 }.count
        } else {
            guard let prompt = run.promptIDs, let ids = run.ids, let budget = run.maxNewTokens else {
                throw ParityError.mismatch("\(run.label): ASR run without prompt or ids")
            }
            let ownPrompt = try model.promptIDs(audioTokens: ownEncoded.shape[0], language: run.language)
            result.promptEqual = ownPrompt == prompt
            (result.stepRelative, result.top1Equal) = compare(try model.stepLogits(promptIDs: prompt, audio: encoded, continuation: ids))
            model.layerObserver = nil
            (result.ownStepRelative, result.ownTop1Equal) = compare(try model.stepLogits(promptIDs: ownPrompt, audio: ownEncoded, continuation: ids))
            let stops = run.stopTokens ?? model.specialTokens.stopTokens
            let expected = ids.last.map { stops.contains($0) } == true ? Array(ids.dropLast()) : ids
            let greedy = try model.greedyDecode(promptIDs: ownPrompt, audio: ownEncoded, maxNewTokens: budget, stopTokens: stops)
            result.greedyEqual = greedy.ids == expected
        }
        let rowsPerLayer = run.layerRows.count * hiddenSize
        result.layerRelative = (0..<(officialLayers.count / max(1, rowsPerLayer))).map { layer in
            let range = (layer * rowsPerLayer)..<((layer + 1) * rowsPerLayer)
            return relativeMaxError(captured[range], officialLayers[range])
        }
        return result
    }

    static func rows(_ flat: [Float], width: Int) -> [[Float]] {
        stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<min($0 + width, flat.count)]) }
    }

    /// `Vector.argmax` (the first on ties, as the model's own greedy pick) of a row.
    static func argmax(_ x: ArraySlice<Float>) -> Int {
        x.withUnsafeBufferPointer { Vector.argmax($0.baseAddress!, count: $0.count) }
    }
}
