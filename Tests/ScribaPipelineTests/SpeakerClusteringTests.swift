import Testing
@testable import ScribaModels
@testable import ScribaPipeline
import ScribaTranscript

// The clustering and reconstruction rules on hand-made embeddings and activity.

struct SpeakerClusteringTests {
    /// Two directions (speakers A and B) with small perturbations, one embedding per (window, speaker).
    static let a: [Float] = [1, 0, 0], b: [Float] = [0, 1, 0]
    static func near(_ v: [Float], _ e: Float) -> [Float] { [v[0] + e, v[1] - e, v[2] + e] }

    @Test func twoSpeakersSplitAtTheThreshold() {
        let embeddings = [Self.a, Self.b, Self.near(Self.a, 0.05), Self.near(Self.b, 0.05), Self.near(Self.a, -0.03)]
        let labels = SpeakerClustering.cluster(embeddings, groups: [0, 0, 1, 1, 2], threshold: 0.5)
        #expect(labels == [0, 1, 0, 1, 0])
    }

    @Test func localSpeakersOfOneWindowNeverMerge() {
        // Three near-identical embeddings, two of them in the same window: that pair stays apart at any
        // threshold, and gives way only when the caller asks for fewer speakers than it leaves.
        let embeddings = [Self.a, Self.near(Self.a, 0.01), Self.near(Self.a, 0.02)]
        let labels = SpeakerClustering.cluster(embeddings, groups: [0, 0, 1], threshold: 1.5)
        #expect(labels[0] != labels[1])
        #expect(Set(labels).count == 2)
        #expect(SpeakerClustering.cluster(embeddings, groups: [0, 0, 1], threshold: 1.5, count: SpeakerCount(exactly: 2)) == labels)
        #expect(Set(SpeakerClustering.cluster(embeddings, groups: [0, 0, 1], threshold: 0.5, count: SpeakerCount(exactly: 1))).count == 1)
    }

    @Test func aFixedCountOverridesTheThreshold() {
        let embeddings = [Self.a, Self.b, Self.near(Self.a, 0.05), Self.near(Self.b, 0.05)]
        #expect(Set(SpeakerClustering.cluster(embeddings, groups: [0, 1, 2, 3], threshold: 0.5, count: SpeakerCount(exactly: 1))).count == 1)
        #expect(Set(SpeakerClustering.cluster(embeddings, groups: [0, 1, 2, 3], threshold: 0.5, count: SpeakerCount(exactly: 3))).count == 3)
        // Bounds: at least 3 keeps three clusters although two would pass the threshold; at most 1 merges.
        #expect(Set(SpeakerClustering.cluster(embeddings, groups: [0, 1, 2, 3], threshold: 0.5, count: SpeakerCount(minimum: 3))).count == 3)
        #expect(Set(SpeakerClustering.cluster(embeddings, groups: [0, 1, 2, 3], threshold: 0.5, count: SpeakerCount(maximum: 1))).count == 1)
    }

    @Test func windowsCoverTheAudioWithTheLastFlushWithTheEnd() {
        #expect(SpeakerDiarizer.windowStarts(samples: 50_000, stepSamples: 80_000) == [0])
        #expect(SpeakerDiarizer.windowStarts(samples: 400_000, stepSamples: 80_000) == [0, 80_000, 160_000, 240_000])
    }

    @Test func powersetFramesDecodeToLocalSpeakers() {
        // Frame 0: class 1 ({0}); frame 1: class 4 ({0, 1}); frame 2: class 0 (silence).
        var logp = [Float](repeating: -9, count: 21)
        logp[1] = -0.1; logp[7 + 4] = -0.1; logp[14] = -0.1
        let activity = LocalActivity(logProbabilities: logp)
        #expect(activity.frames == 3)
        #expect(activity.isActive(0, frame: 0) && !activity.isActive(1, frame: 0))
        #expect(activity.isActive(0, frame: 1) && activity.isActive(1, frame: 1) && activity.activeCount(frame: 1) == 2)
        #expect(activity.activeCount(frame: 2) == 0)
    }

    @Test func reconstructionKeepsOverlapAndNumbersByFirstAppearance() {
        // One window of 10 frames: local speaker 1 (cluster 0) talks in frames 0–5, local speaker 0
        // (cluster 1) in frames 4–9; frames 4–5 overlap.
        var active = [Bool](repeating: false, count: 30)
        for f in 0..<6 { active[f * 3 + 1] = true }
        for f in 4..<10 { active[f * 3 + 0] = true }
        var timeline = DiarizationTimeline(clusters: 2)
        timeline.add(LocalActivity(frames: 10, active: active), startSample: 0, clusters: [1, 0, nil], audioSamples: 160_000)
        let turns = timeline.turns(audioSamples: 160_000)
        #expect(turns.count == 2)
        // The first speaker heard (cluster 0) is SPEAKER_1; frame f spans centre 495 + 270 f ± 135 samples.
        #expect(turns[0].speaker == 0 && turns[1].speaker == 1)
        #expect(abs(turns[0].start - 360.0 / 16_000) < 1e-9 && abs(turns[0].end - (360.0 + 6 * 270) / 16_000) < 1e-9)
        #expect(abs(turns[1].start - (360.0 + 4 * 270) / 16_000) < 1e-9)
        #expect(turns[0].end > turns[1].start, "the overlap is kept")
    }
}
