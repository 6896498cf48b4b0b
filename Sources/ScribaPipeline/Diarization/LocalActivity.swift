import ScribaModels

// One segmentation window decoded: which of its (up to 3) local speakers talk in each frame. Decoding
// takes each frame's most likely powerset class, as pyannote's `Powerset.to_multilabel` (hard) does.

struct LocalActivity {
    let frames: Int
    /// active[frame · 3 + speaker]
    let active: [Bool]

    init(logProbabilities: [Float]) {
        let classes = PyannoteSegmentation.powerset.count, speakers = PyannoteSegmentation.localSpeakers
        frames = logProbabilities.count / classes
        var active = [Bool](repeating: false, count: frames * speakers)
        for f in 0..<frames {
            var best = 0
            for c in 1..<classes where logProbabilities[f * classes + c] > logProbabilities[f * classes + best] { best = c }
            for k in PyannoteSegmentation.powerset[best] { active[f * speakers + k] = true }
        }
        self.active = active
    }

    init(frames: Int, active: [Bool]) {
        self.frames = frames
        self.active = active
    }

    func isActive(_ speaker: Int, frame: Int) -> Bool { active[frame * PyannoteSegmentation.localSpeakers + speaker] }

    func activeCount(frame: Int) -> Int {
        (0..<PyannoteSegmentation.localSpeakers).reduce(0) { $0 + (isActive($1, frame: frame) ? 1 : 0) }
    }

    /// How many samples `soloSamples` gives, without gathering them.
    func soloSampleCount(of speaker: Int, windowStart: Int, audioSamples: Int) -> Int {
        (0..<frames).reduce(0) { total, f in
            guard isActive(speaker, frame: f) && activeCount(frame: f) == 1 else { return total }
            return total + DiarizationTimeline.sampleRange(frame: f, windowStart: windowStart).clamped(to: 0..<audioSamples).count
        }
    }

    /// The samples of the frames where `speaker` talks alone (each frame's 270 samples around its
    /// centre), concatenated; what its embedding is computed from.
    func soloSamples(of speaker: Int, in samples: [Float], windowStart: Int) -> [Float] {
        var result: [Float] = []
        for f in 0..<frames where isActive(speaker, frame: f) && activeCount(frame: f) == 1 {
            let range = DiarizationTimeline.sampleRange(frame: f, windowStart: windowStart).clamped(to: 0..<samples.count)
            result += samples[range]
        }
        return result
    }
}
