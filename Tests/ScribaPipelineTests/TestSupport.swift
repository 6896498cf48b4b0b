import Foundation
import ScribaPipeline
import ScribaTestSupport

/// `Tests/Fixtures`, found by walking up from this file.
func fixturesDirectory() -> URL { TestLocations.fixtures }

func loadTranscriptFixture(_ name: String) throws -> Transcript {
    let data = try Data(contentsOf: fixturesDirectory().appendingPathComponent("formats/\(name)"))
    return try JSONDecoder().decode(Transcript.self, from: data)
}

/// Words of a space-separated text, cleaned of punctuation as an aligner returns them, each
/// `duration` long with `gap` between them, starting at `start`.
func alignedWords(_ text: String, start: Double, duration: Double = 0.3, gap: Double = 0.05) -> [TimedWord] {
    var t = start
    return text.split(separator: " ").map { token in
        let clean = String(token.filter { $0.isLetter || $0.isNumber })
        defer { t += duration + gap }
        return TimedWord(text: clean, start: t, end: t + duration)
    }
}


/// `options` listening with the energy detector. Synthetic signals (tones, ramps, noise) stand in
/// for speech in many tests, and Silero, the default, rightly hears no speech in them.
func byEnergy(_ options: PipelineOptions) -> PipelineOptions {
    var listening = options
    listening.voiceDetector = .energy
    return listening
}
