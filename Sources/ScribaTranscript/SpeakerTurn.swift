// Who spoke when: one speaker's stretch of speech, as diarization reconstructs it. Turns of different
// speakers may overlap (people talk over each other); turns of one speaker do not.

public struct SpeakerTurn: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    /// 0-based, numbered in order of first appearance; shown as `SPEAKER_1`, `SPEAKER_2`, … (`label`).
    public var speaker: Int

    public init(start: Double, end: Double, speaker: Int) {
        self.start = start
        self.end = end
        self.speaker = speaker
    }

    public var duration: Double { end - start }

    /// The label writers print for speaker `index`: SPEAKER_1 for 0.
    public static func label(_ index: Int) -> String { "SPEAKER_\(index + 1)" }
}
