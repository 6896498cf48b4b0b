import Foundation
import ScribaAudio
import ScribaModels
import ScribaTensor
import ScribaTranscript

// Who spoke when, following pyannote's speaker-diarization recipe with CAM++ embeddings:
//  1. pyannote segmentation-3.0 on 10 s windows (`DiarizationOptions.stepSeconds` apart), each frame
//     decoded to its most likely powerset class → up to 3 local speakers per window (`LocalActivity`);
//  2. one CAM++ embedding per (window, local speaker) from the frames where that speaker talks alone,
//     when they add up to `minEmbeddingSeconds`;
//  3. agglomerative clustering on cosine distance, never joining two local speakers of one window
//     (`SpeakerClustering`), to a threshold or a requested speaker count;
//  4. reconstruction on the global frame grid (`DiarizationTimeline`): per frame, the number of speakers
//     the windows agree on, taken from the clusters most active there; runs of frames become turns.

public struct DiarizationOptions: Sendable, Equatable {
    /// Seconds between window starts: 5 = 50 % overlap (pyannote uses 1 s; 5 s costs 5× less and, with
    /// the embeddings, is what keeps an hour of audio well under a minute).
    public var stepSeconds: Double = 5
    /// Cosine distance (1 − cos) above which two clusters stay apart; measured on scripts/diarization.
    public var clusterThreshold: Double = 0.6
    /// A local speaker needs this much solo speech in a window to get an embedding (else it is dropped
    /// from that window, as pyannote drops too-short embeddings).
    public var minEmbeddingSeconds: Double = 0.5
    public var speakers = SpeakerCount()
    /// Windows through the segmentation model at once (their LSTM steps run as one matrix product).
    public var batchWindows = 16

    public init(speakers: SpeakerCount = .init()) { self.speakers = speakers }
}

public final class SpeakerDiarizer: Sendable {
    public let segmentation: PyannoteSegmentation
    public let embedder: CAMPPlus
    let fbank = KaldiFbank()

    /// `${SCRIBA_MODELS_DIR:-~/.cache/scriba/models}`, where scripts/fetch-diarization-models installs.
    public static var defaultModelsFolder: URL {
        ProcessInfo.processInfo.environment["SCRIBA_MODELS_DIR"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/scriba/models")
    }

    /// Loads both models from `modelsFolder` (its pyannote-segmentation-3.0/ and campplus-cn-en-common/).
    public convenience init(modelsFolder: URL = SpeakerDiarizer.defaultModelsFolder) throws {
        let segmentation = modelsFolder.appendingPathComponent(PyannoteSegmentation.folderName)
        let embedder = modelsFolder.appendingPathComponent(CAMPPlus.folderName)
        for folder in [segmentation, embedder] where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) {
            throw PipelineError.diarizationModelsMissing(folder: modelsFolder)
        }
        try self.init(segmentation: PyannoteSegmentation(folder: segmentation), embedder: CAMPPlus(folder: embedder))
    }

    public init(segmentation: PyannoteSegmentation, embedder: CAMPPlus) {
        self.segmentation = segmentation
        self.embedder = embedder
    }

    /// Speaker turns of `audio` (16 kHz), sorted by start; speakers numbered by first appearance.
    public func diarize(_ audio: AudioBuffer, options: DiarizationOptions = .init()) throws -> [SpeakerTurn] {
        try diarizeTimed(audio, options: options).turns
    }

    /// `diarize`, with the seconds each stage took (what scriba-bench's `diarization` prints).
    /// Segmentation batches and embeddings are dealt to `ThreadPool.shared`'s threads, each product
    /// single-threaded: thousands of small products keep both cores busier this way than OpenBLAS's
    /// own threads splitting each product would (those spin-wait between calls).
    public func diarizeTimed(_ audio: AudioBuffer, options: DiarizationOptions = .init()) throws -> (turns: [SpeakerTurn], timings: DiarizationTimings) {
        guard audio.sampleRate == PyannoteSegmentation.sampleRate else { throw PipelineError.diarizationSampleRate(audio.sampleRate) }
        var timings = DiarizationTimings()
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now, elapsed = now - clock
            clock = now
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        let pool = ThreadPool.shared, previousBLASThreads = BLAS.threads
        if pool.threadCount > 1 { BLAS.setThreads(1) }
        defer { if pool.threadCount > 1 { BLAS.setThreads(previousBLASThreads) } }
        let samples = audio.samples
        let starts = Self.windowStarts(samples: samples.count, stepSamples: max(1, Int(options.stepSeconds * Double(PyannoteSegmentation.sampleRate))))
        let activity = localActivity(samples, starts: starts, batch: max(1, options.batchWindows), pool: pool)
        timings.segmentation = lap()
        // Embeddings of every (window, local speaker) with enough solo speech.
        let minSamples = max(Int(options.minEmbeddingSeconds * Double(PyannoteSegmentation.sampleRate)), KaldiFbank.frameSamples)
        var owners: [(window: Int, speaker: Int)] = []
        for (w, window) in activity.enumerated() {
            for k in 0..<PyannoteSegmentation.localSpeakers where window.soloSampleCount(of: k, windowStart: starts[w], audioSamples: samples.count) >= minSamples {
                owners.append((w, k))
            }
        }
        let embeddings = embed(owners.map { (activity[$0.window], $0.speaker, starts[$0.window]) }, samples: samples, pool: pool)
        timings.embeddings = lap()
        timings.embeddingCount = embeddings.count
        let labels = SpeakerClustering.cluster(embeddings, groups: owners.map(\.window), threshold: options.clusterThreshold, count: options.speakers)
        timings.clustering = lap()
        var assignment = [[Int?]](repeating: [Int?](repeating: nil, count: PyannoteSegmentation.localSpeakers), count: activity.count)
        for (owner, label) in zip(owners, labels) { assignment[owner.window][owner.speaker] = label }
        var timeline = DiarizationTimeline(clusters: (labels.max() ?? -1) + 1)
        for (w, window) in activity.enumerated() {
            timeline.add(window, startSample: starts[w], clusters: assignment[w], audioSamples: samples.count)
        }
        let turns = timeline.turns(audioSamples: samples.count)
        timings.reconstruction = lap()
        return (turns, timings)
    }

    /// CAM++ embeddings of each (window, local speaker)'s solo speech, dealt to the pool's threads.
    func embed(_ jobs: [(window: LocalActivity, speaker: Int, start: Int)], samples: [Float], pool: ThreadPool) -> [[Float]] {
        var embeddings = [[Float]](repeating: [], count: jobs.count)
        let scratch = (0..<pool.threadCount).map { _ in CAMPPlus.Scratch() }
        embeddings.withUnsafeMutableBufferPointer { results in
            pool.deal(jobs.count) { item, task in
                let job = jobs[item]
                let features = fbank.features(job.window.soloSamples(of: job.speaker, in: samples, windowStart: job.start)[...])
                results[item] = features.withUnsafeBufferPointer {
                    embedder.embedding(fbank: $0.baseAddress!, frames: features.count / KaldiFbank.melBins, scratch: scratch[task])
                }
            }
        }
        return embeddings
    }

    /// Window starts: every `stepSamples`, the last one flush with the end of the audio (one window,
    /// zero-padded, when the audio is shorter than 10 s).
    static func windowStarts(samples: Int, stepSamples: Int) -> [Int] {
        let window = PyannoteSegmentation.windowSamples
        guard samples > window else { return [0] }
        var starts = Array(stride(from: 0, to: samples - window, by: stepSamples))
        starts.append(samples - window)
        return starts
    }

    /// The segmentation model over every window, in batches dealt to the pool's threads, decoded to
    /// local speaker activity.
    func localActivity(_ samples: [Float], starts: [Int], batch: Int, pool: ThreadPool) -> [LocalActivity] {
        let window = PyannoteSegmentation.windowSamples
        let batches = (starts.count + batch - 1) / batch
        var result = [[LocalActivity]](repeating: [], count: batches)
        let scratch = (0..<pool.threadCount).map { _ in PyannoteSegmentation.Scratch() }
        result.withUnsafeMutableBufferPointer { results in
            pool.deal(batches) { item, task in
                let windows = starts[(item * batch)..<min((item + 1) * batch, starts.count)].map { start -> [Float] in
                    let end = min(start + window, samples.count)
                    var chunk = Array(samples[start..<end])
                    if chunk.count < window { chunk += [Float](repeating: 0, count: window - chunk.count) }
                    return chunk
                }
                results[item] = segmentation.logProbabilities(windows: windows, scratch: scratch[task]).map { LocalActivity(logProbabilities: $0) }
            }
        }
        return result.flatMap { $0 }
    }
}

/// Wall-clock seconds of each stage of one `SpeakerDiarizer.diarizeTimed` call.
public struct DiarizationTimings: Sendable, Equatable {
    public var segmentation = 0.0, embeddings = 0.0, clustering = 0.0, reconstruction = 0.0
    /// (window, local speaker) pairs embedded.
    public var embeddingCount = 0
    public var total: Double { segmentation + embeddings + clustering + reconstruction }
}
