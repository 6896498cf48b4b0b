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

    /// The index a `label` stands for ("SPEAKER_2" → 1); nil for anything else.
    public static func index(ofLabel label: String) -> Int? {
        guard label.hasPrefix("SPEAKER_"), let number = Int(label.dropFirst("SPEAKER_".count)), number >= 1 else { return nil }
        return number - 1
    }

    /// The name a reader sees for a label, as WebVTT voice tags carry it: "SPEAKER_1" → "Speaker 1".
    public static func displayName(_ label: String) -> String {
        index(ofLabel: label).map { "Speaker \($0 + 1)" } ?? label
    }

    // JSON carries the label, as words and segments do: {"start": 0.5, "end": 3.2, "speaker": "SPEAKER_1"}.
    private enum CodingKeys: String, CodingKey { case start, end, speaker }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decode(Double.self, forKey: .start)
        end = try c.decode(Double.self, forKey: .end)
        let label = try c.decode(String.self, forKey: .speaker)
        guard let index = Self.index(ofLabel: label) else {
            throw DecodingError.dataCorruptedError(forKey: .speaker, in: c, debugDescription: "'\(label)' is not a speaker label (SPEAKER_1, SPEAKER_2, …)")
        }
        speaker = index
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(Self.label(speaker), forKey: .speaker)
    }
}
