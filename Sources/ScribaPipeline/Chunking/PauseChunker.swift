import ScribaAudio

/// Splits long audio at pauses so no chunk ends inside a word when it can be avoided.
///
/// For each chunk it looks at the stretch the next cut may fall in — from `minChunkDuration` after
/// the chunk's start to `maxDuration` — and cuts in the middle of the longest pause of at least
/// `minPause` in its later half (`preferredWindow`), or else the latest such pause anywhere in the
/// stretch. Only when the stretch holds no pause at all (continuous speech or music) does it cut
/// hard at `maxDuration`, and the next chunk then starts `overlap` earlier so a word cut in half is
/// heard whole by one side; `TranscriptionPipeline` keeps each overlapped word once.
public struct PauseChunker: AudioChunker {
    public var voiceActivity: VoiceActivity
    /// Shortest silence (seconds) that counts as a place to cut. 150 ms: shorter gaps occur inside
    /// words (stop closures).
    public var minPause: Double
    /// Seconds two chunks share after a hard cut; words up to half of it long are never lost or doubled.
    public var overlap: Double
    /// Fraction of `maxDuration` before which a pause is used only when the later part has none
    /// (long chunks give the recogniser context).
    public var preferredWindow: Double
    /// No cut closer than this (seconds) to the chunk's start.
    public var minChunkDuration: Double

    public init(voiceActivity: VoiceActivity = .init(), minPause: Double = 0.15, overlap: Double = 1.0,
                preferredWindow: Double = 0.5, minChunkDuration: Double = 1.0) {
        self.voiceActivity = voiceActivity
        self.minPause = minPause
        self.overlap = overlap
        self.preferredWindow = preferredWindow
        self.minChunkDuration = minChunkDuration
    }

    public func chunks(of audio: AudioBuffer, maxDuration: Double) -> [AudioChunk] {
        let maxSamples = max(1, Int(maxDuration * Double(audio.sampleRate)))
        // Short input needs no VAD pass.
        guard audio.samples.count > maxSamples else { return FixedWindowChunker().chunks(of: audio, maxDuration: maxDuration) }
        return chunks(total: audio.samples.count, sampleRate: audio.sampleRate, maxSamples: maxSamples,
                      pauses: voiceActivity.pauses(in: audio))
    }

    /// The cutting rule on its own, for given pauses (sample ranges, in order).
    public func chunks(total: Int, sampleRate: Int, maxSamples: Int, pauses: [Range<Int>]) -> [AudioChunk] {
        guard total > 0 else { return [] }
        let rate = Double(sampleRate)
        let minPauseSamples = max(1, Int(minPause * rate))
        let usable = pauses.filter { $0.count >= minPauseSamples }
        // Overlap stays well under the chunk so every chunk advances.
        let overlapSamples = min(Int(overlap * rate), maxSamples / 4)
        let minChunkSamples = min(Int(minChunkDuration * rate), maxSamples / 2)
        var result: [AudioChunk] = []
        var start = 0
        var startOverlap = 0
        var pauseIndex = 0
        while total - start > maxSamples {
            let limit = start + maxSamples
            let earliest = start + max(1, minChunkSamples)
            let preferred = start + max(1, Int(Double(maxSamples) * preferredWindow))
            while pauseIndex < usable.count, usable[pauseIndex].upperBound <= earliest { pauseIndex += 1 }
            var best: (cut: Int, length: Int)?
            var latest: Int?
            var index = pauseIndex
            while index < usable.count, usable[index].lowerBound < limit {
                let pause = usable[index]
                let low = max(pause.lowerBound, earliest), high = min(pause.upperBound, limit)
                if low < high {
                    // Mid-pause (within the hard bounds), as far from both words as possible.
                    let cut = (low + high) / 2
                    if high > preferred, pause.count > (best?.length ?? 0) { best = (cut, pause.count) }
                    latest = cut
                }
                index += 1
            }
            if let cut = best?.cut ?? latest {
                result.append(AudioChunk(startSample: start, endSample: cut, overlapSamples: startOverlap))
                start = cut
                startOverlap = 0
            } else {
                result.append(AudioChunk(startSample: start, endSample: limit, overlapSamples: startOverlap))
                start = limit - overlapSamples
                startOverlap = overlapSamples
            }
        }
        result.append(AudioChunk(startSample: start, endSample: total, overlapSamples: startOverlap))
        return result
    }
}
