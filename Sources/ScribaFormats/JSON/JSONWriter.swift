import ScribaTranscript

/// The transcript as JSON, keys in this fixed order (hand-ordered `JSONValue`, not JSONEncoder).
/// `docs/transcript.schema.json` is the schema; tests validate real output against it.
///
/// ```
/// {
///   "language": "en",                 // Language.code, "" when unknown (as WhisperX writes it)
///   "language_name": "English",       // the model's English name for it
///   "language_probability": 0.973,    // when the engine detected it; null otherwise
///   "duration": 12.345,               // seconds, 3 decimals (rounded to the millisecond)
///   "text": "...",                    // whole transcript text
///   "segments": [
///     { "start": 0.000, "end": 4.250, "text": "...",
///       "words": [ { "word": "Hello", "start": 0.000, "end": 0.420,
///                    "confidence": 0.973 } ] }   // confidence only when known;
///                                     // "interpolated": true on words the aligner could not place
///   ],
///   "sentences": [ { "text": "Hello there.", "start": 0.000, "end": 1.200 } ],
///   "alignment": { "words": [ { "word", "start", "end" } ], "sentences": [ { "text", "start", "end" } ] },
///                                     // the original pipeline's shape; null when no word has times
///                                     // (no aligner, or it failed: see the `unaligned` chunks)
///   "metadata": { "file", "language" (name), "language_code", "language_probability", "duration",
///                 "engine", "model" }  // null where unknown
///   "chunks": [ { "start": 0.000, "end": 30.000, "status": "ok" } ]
///                                     // only when tracked; ok|empty|truncated|repetition|failed|unaligned;
///                                     // "note": what a guard did there, when one did;
///                                     // "alignment": null on an unaligned chunk
///   "speakers": [ { "speaker": "SPEAKER_1", "seconds": 30.120 } ],   // diarized only (--diarize):
///   "turns": [ { "start": 0.000, "end": 3.200, "speaker": "SPEAKER_1" } ]  // talk time, who spoke when;
///                                     // then segments, words and sentences carry "speaker" too
/// }
/// ```
/// `JSONDecoder` reads the output back into a `Transcript` (its `Codable` keys are these names).
public enum JSONWriter {
    public static func render(_ transcript: Transcript, source: TranscriptSource = .init()) -> String {
        value(transcript, source: source).rendered() + "\n"
    }

    public static func value(_ transcript: Transcript, source: TranscriptSource = .init()) -> JSONValue {
        // Grouped once: the top level and the original's `alignment` both carry the sentences.
        let grouped = sentences(transcript)
        var members: [(String, JSONValue)] = [
            ("language", .string(transcript.language)),
            ("language_name", .string(transcript.languageName)),
            ("language_probability", probability(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("text", .string(transcript.text)),
            ("segments", .array(transcript.segments.map(segment))),
            ("sentences", grouped),
            ("alignment", alignment(transcript, sentences: grouped)),
            ("metadata", metadata(transcript, source: source)),
        ]
        if let chunks = transcript.chunks {
            members.append(("chunks", .array(chunks.map { chunk in
                var fields: [(String, JSONValue)] = [
                    ("start", .seconds(chunk.start)), ("end", .seconds(chunk.end)),
                    ("status", .string(chunk.status.rawValue)),
                ]
                if let note = chunk.note { fields.append(("note", .string(note))) }
                if chunk.status == .unaligned { fields.append(("alignment", .null)) }
                return .object(fields)
            })))
        }
        if let turns = transcript.turns, let speakers = transcript.speakers {
            members.append(("speakers", .array(speakers.map { .object([("speaker", .string($0.id)), ("seconds", .seconds($0.talkSeconds))]) })))
            members.append(("turns", .array(turns.map {
                .object([("start", .seconds($0.start)), ("end", .seconds($0.end)), ("speaker", .string(SpeakerTurn.label($0.speaker)))])
            })))
        }
        return .object(members)
    }

    /// `{"words": [{"word","start","end"}], "sentences": [{"text","start","end"}]}` as the original
    /// pipeline wrote it; null when no word has times. `sentences`: already grouped, else grouped here.
    public static func alignment(_ transcript: Transcript, sentences grouped: JSONValue? = nil) -> JSONValue {
        guard !transcript.words.isEmpty else { return .null }
        return .object([("words", plainWords(transcript)), ("sentences", grouped ?? sentences(transcript))])
    }

    /// `[{"word", "start", "end"}]`: every word, without confidence or flags (`"speaker"` when diarized).
    public static func plainWords(_ transcript: Transcript) -> JSONValue {
        .array(transcript.words.map { word in
            .object([("word", .string(word.text)), ("start", .seconds(word.start)), ("end", .seconds(word.end))] + speaker(word.speaker))
        })
    }

    /// `[{"text", "start", "end"}]`, sentences cut at the text's punctuation.
    public static func sentences(_ transcript: Transcript) -> JSONValue {
        .array(SentenceGrouper.sentences(in: transcript).map { sentence in
            .object([("text", .string(sentence.text)), ("start", .seconds(sentence.start)), ("end", .seconds(sentence.end))]
                    + speaker(sentence.speaker))
        })
    }

    /// The language probability with three decimals, or null.
    public static func probability(_ transcript: Transcript) -> JSONValue {
        transcript.languageProbability.map { .number(Timecode.fraction($0)) } ?? .null
    }

    static func metadata(_ transcript: Transcript, source: TranscriptSource) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("file", text(source.file)),
            ("language", .string(transcript.languageName)),
            ("language_code", .string(transcript.language)),
            ("language_probability", probability(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("engine", text(source.engine)),
            ("model", text(source.model)),
        ])
    }

    static func segment(_ segment: TranscriptSegment) -> JSONValue {
        .object([
            ("start", .seconds(segment.start)),
            ("end", .seconds(segment.end)),
            ("text", .string(segment.text)),
        ] + speaker(segment.speaker) + [
            ("words", .array(segment.words.map(word))),
        ])
    }

    /// `("speaker", label)` when diarized, nothing otherwise (non-diarized output stays as it was).
    public static func speaker(_ label: String?) -> [(String, JSONValue)] {
        label.map { [("speaker", .string($0))] } ?? []
    }

    static func word(_ word: TimedWord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("word", .string(word.text)), ("start", .seconds(word.start)), ("end", .seconds(word.end)),
        ]
        if let confidence = word.confidence { members.append(("confidence", .number(Timecode.fraction(confidence)))) }
        if word.interpolated { members.append(("interpolated", .bool(true))) }
        return .object(members + speaker(word.speaker))
    }
}
