import ScribaTranscript

// `scriba diarize --format json`: the speakers with their talk time, then the turns in time order.
//   {"duration": 62.5, "speakers": [{"speaker": "SPEAKER_1", "seconds": 30.1}, …],
//    "turns": [{"start": 0.0, "end": 3.2, "speaker": "SPEAKER_1"}, …]}

public enum DiarizationJSONWriter {
    public static func render(_ turns: [SpeakerTurn], duration: Double) -> String {
        let speakers = (turns.map(\.speaker).max() ?? -1) + 1
        let talk = (0..<speakers).map { s in turns.filter { $0.speaker == s }.reduce(0) { $0 + $1.duration } }
        return JSONValue.object([
            ("duration", .seconds(duration)),
            ("speakers", .array((0..<speakers).map { .object([("speaker", .string(SpeakerTurn.label($0))), ("seconds", .seconds(talk[$0]))]) })),
            ("turns", .array(turns.map {
                .object([("start", .seconds($0.start)), ("end", .seconds($0.end)), ("speaker", .string(SpeakerTurn.label($0.speaker)))])
            })),
        ]).rendered() + "\n"
    }
}
