import ScribaTranscript

/// The transcript as JSON, keys in this fixed order (hand-ordered `JSONValue`, not JSONEncoder):
///
/// ```
/// {
///   "language": "en",                 // Language.code, "" when unknown
///   "duration": 12.345,               // seconds, 3 decimals (rounded to the millisecond)
///   "text": "...",                    // whole transcript text
///   "segments": [
///     { "start": 0.000, "end": 4.250, "text": "...",
///       "words": [ { "text": "Hello", "start": 0.000, "end": 0.420,
///                    "confidence": 0.973 } ] }   // confidence only when known;
///                                     // "interpolated": true on words the aligner could not place
///   ],
///   "chunks": [ { "start": 0.000, "end": 30.000, "status": "ok" } ]
///                                     // only when tracked; ok|empty|truncated|repetition|failed;
///                                     // "note": what a guard did there, when one did
/// }
/// ```
/// The keys are the `Codable` names of `Transcript`, so `JSONDecoder` reads the output back.
public enum JSONWriter {
    public static func render(_ transcript: Transcript) -> String {
        value(transcript).rendered() + "\n"
    }

    public static func value(_ transcript: Transcript) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("language", .string(transcript.language)),
            ("duration", .seconds(transcript.duration)),
            ("text", .string(transcript.text)),
            ("segments", .array(transcript.segments.map(segment))),
        ]
        if let chunks = transcript.chunks {
            members.append(("chunks", .array(chunks.map { chunk in
                var fields: [(String, JSONValue)] = [
                    ("start", .seconds(chunk.start)), ("end", .seconds(chunk.end)),
                    ("status", .string(chunk.status.rawValue)),
                ]
                if let note = chunk.note { fields.append(("note", .string(note))) }
                return .object(fields)
            })))
        }
        return .object(members)
    }

    static func segment(_ segment: TranscriptSegment) -> JSONValue {
        .object([
            ("start", .seconds(segment.start)),
            ("end", .seconds(segment.end)),
            ("text", .string(segment.text)),
            ("words", .array(segment.words.map(word))),
        ])
    }

    static func word(_ word: TimedWord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("text", .string(word.text)), ("start", .seconds(word.start)), ("end", .seconds(word.end)),
        ]
        if let confidence = word.confidence { members.append(("confidence", .number(Timecode.fraction(confidence)))) }
        if word.interpolated { members.append(("interpolated", .bool(true))) }
        return .object(members)
    }
}
