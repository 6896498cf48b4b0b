import ScribaTranscript

/// Minutes as JSON, keys in this order (hand-ordered `JSONValue`), times in seconds with three
/// decimals:
///
/// ```
/// { "meeting_info": { "duration": 1200.000, "language": "en", "total_sentences": 240 },
///                                                            // the original pipeline's header
///   "participants": ["Anna", "Tom"],                         // as the user named them (--participants)
///   "language": "en", "duration": 1200.000,
///   "summary":      [ { "start", "end", "text" } ],          // time order
///   "topics":       [ { "start", "end", "keywords": ["budget", ...],
///                       "first_sentence": 0, "sentence_count": 57 } ],
///   "action_items": [ { "start", "end", "text", "cues": ["will", "by friday"] } ],
///   "timeline":     [ { "start", "end", "text" } ],           // fixed intervals (--interval)
///   "transcription": "...",                                 // the whole text
///   "speakers":   [ { "name": "Anna", "speaker": "SPEAKER_1", "seconds" } ],  // diarized only:
///   "utterances": [ { "start", "end", "speaker": "Anna", "text" } ] }        // who said what
/// ```
public enum MinutesJSONWriter {
    public static func render(_ minutes: Minutes) -> String {
        value(minutes).rendered() + "\n"
    }

    public static func value(_ minutes: Minutes) -> JSONValue {
        func span(_ start: Double, _ end: Double, _ text: String) -> JSONValue {
            .object([("start", .seconds(start)), ("end", .seconds(end)), ("text", .string(text))])
        }
        var members: [(String, JSONValue)] = [
            ("meeting_info", .object([
                ("duration", .seconds(minutes.duration)), ("language", .string(minutes.language)),
                ("total_sentences", .int(minutes.sentences.count)),
            ])),
            ("participants", .array(minutes.participants.map { .string($0) })),
            ("language", .string(minutes.language)),
            ("duration", .seconds(minutes.duration)),
            ("summary", .array(minutes.summary.map { span($0.start, $0.end, $0.text) })),
            ("topics", .array(minutes.topics.map { topic in
                .object([
                    ("start", .seconds(topic.start)), ("end", .seconds(topic.end)),
                    ("keywords", .array(topic.keywords.map { .string($0) })),
                    ("first_sentence", .int(topic.sentenceRange.lowerBound)),
                    ("sentence_count", .int(topic.sentenceRange.count)),
                ])
            })),
            ("action_items", .array(minutes.actionItems.map { item in
                .object([
                    ("start", .seconds(item.start)), ("end", .seconds(item.end)),
                    ("text", .string(item.text)), ("cues", .array(item.cues.map { .string($0) })),
                ])
            })),
            ("timeline", .array(minutes.timeline.map { span($0.start, $0.end, $0.text) })),
            ("transcription", .string(minutes.transcription)),
        ]
        if !minutes.speakers.isEmpty {
            members.append(("speakers", .array(minutes.speakers.map {
                .object([("name", .string($0.name)), ("speaker", .string($0.label)), ("seconds", .seconds($0.seconds))])
            })))
            members.append(("utterances", .array(minutes.utterances.map {
                .object([("start", .seconds($0.start)), ("end", .seconds($0.end)), ("speaker", .string($0.speaker)), ("text", .string($0.text))])
            })))
        }
        return .object(members)
    }
}
