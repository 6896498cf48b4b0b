import ScribaModels
import ScribaTranscript

// Reconstruction: the clustered windows laid on one global frame grid (the model's 270-sample frames),
// as pyannote's `SpeakerDiarization.reconstruct` + `to_diarization` do. Per global frame: the number of
// speakers is the windows' average count of active local speakers, rounded; the speakers are the
// clusters with the most active votes there. Overlapping speech stays (two clusters in one frame).

struct DiarizationTimeline {
    static let step = PyannoteSegmentation.frameStepSamples
    /// A frame's centre is 495 samples after its start (half its 991-sample receptive field).
    static let centre = (PyannoteSegmentation.receptiveFieldSamples - 1) / 2

    let clusters: Int
    private(set) var votes: [Float] = []        // [frames × clusters]
    private(set) var countSum: [Float] = []
    private(set) var countWindows: [Float] = []

    init(clusters: Int) { self.clusters = clusters }

    /// The samples frame `frame` of a window starting at `windowStart` stands for: one step around its centre.
    static func sampleRange(frame: Int, windowStart: Int) -> Range<Int> {
        let centre = windowStart + frame * step + Self.centre
        return (centre - step / 2)..<(centre - step / 2 + step)
    }

    /// Adds one window: `clusters[k]` is local speaker k's cluster (nil: no embedding, not placed).
    /// Frames centred past the end of the audio (zero padding) are left out.
    mutating func add(_ window: LocalActivity, startSample: Int, clusters assignment: [Int?], audioSamples: Int) {
        let first = Int((Double(startSample) / Double(Self.step)).rounded())
        for f in 0..<window.frames where startSample + f * Self.step + Self.centre < audioSamples {
            let g = first + f
            if g >= countSum.count {
                countSum += [Float](repeating: 0, count: g + 1 - countSum.count)
                countWindows += [Float](repeating: 0, count: g + 1 - countWindows.count)
                votes += [Float](repeating: 0, count: (g + 1) * clusters - votes.count)
            }
            countSum[g] += Float(window.activeCount(frame: f))
            countWindows[g] += 1
            for (k, cluster) in assignment.enumerated() where window.isActive(k, frame: f) {
                if let cluster { votes[g * clusters + cluster] += 1 }
            }
        }
    }

    /// Speaker turns, speakers renumbered by first appearance, sorted by start.
    func turns(audioSamples: Int) -> [SpeakerTurn] {
        let frames = countSum.count
        var active = [Bool](repeating: false, count: frames * clusters)
        for g in 0..<frames where countWindows[g] > 0 {
            let count = Int((countSum[g] / countWindows[g]).rounded())
            let ranked = (0..<clusters).filter { votes[g * clusters + $0] > 0 }
                .sorted { votes[g * clusters + $0] > votes[g * clusters + $1] }
            for c in ranked.prefix(count) { active[g * clusters + c] = true }
        }
        let rate = Double(PyannoteSegmentation.sampleRate), duration = Double(audioSamples) / rate
        var turns: [SpeakerTurn] = []
        for c in 0..<clusters {
            var g = 0
            while g < frames {
                guard active[g * clusters + c] else { g += 1; continue }
                let first = g
                while g < frames && active[g * clusters + c] { g += 1 }
                let start = Double(Self.sampleRange(frame: first, windowStart: 0).lowerBound) / rate
                let end = Double(Self.sampleRange(frame: g - 1, windowStart: 0).upperBound) / rate
                turns.append(SpeakerTurn(start: max(0, start), end: min(duration, end), speaker: c))
            }
        }
        turns.sort { ($0.start, $0.speaker) < ($1.start, $1.speaker) }
        var numbering: [Int: Int] = [:]
        for turn in turns where numbering[turn.speaker] == nil { numbering[turn.speaker] = numbering.count }
        return turns.map { SpeakerTurn(start: $0.start, end: $0.end, speaker: numbering[$0.speaker]!) }
    }
}
