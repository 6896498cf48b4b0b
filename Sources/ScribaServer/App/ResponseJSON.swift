import HTTPTypes
import Hummingbird
import ScribaFormats
import ScribaPipeline

/// JSON pieces the endpoints share, printed through ScribaFormats' ordered `JSONValue` so times
/// are rounded to the millisecond exactly as the CLI's JSON output rounds them.
enum ResponseJSON {
    /// The response header the request log reads the audio length from.
    static let audioSecondsHeader = HTTPField.Name("X-Audio-Seconds")!

    /// `[{"start", "end", "status"}]`
    static func chunks(_ transcript: Transcript) -> JSONValue {
        .array((transcript.chunks ?? []).map { chunk in
            .object([("start", .seconds(chunk.start)), ("end", .seconds(chunk.end)), ("status", .string(chunk.status.rawValue))])
        })
    }

    /// Diarized transcripts: `"speakers"` (`[{"speaker", "seconds"}]`) and `"utterances"`
    /// (`[{"speaker", "start", "end", "text"}]`, who said what); nothing otherwise.
    static func speakers(_ transcript: Transcript) -> [(String, JSONValue)] {
        guard let speakers = transcript.speakers else { return [] }
        return [
            ("speakers", .array(speakers.map { .object([("speaker", .string($0.id)), ("seconds", .seconds($0.talkSeconds))]) })),
            ("utterances", .array(transcript.utterances.map {
                .object([("speaker", .string($0.speaker)), ("start", .seconds($0.start)), ("end", .seconds($0.end)), ("text", .string($0.text))])
            })),
        ]
    }

    static func response(_ value: JSONValue, audioSeconds: Double?) -> Response {
        text(value.rendered() + "\n", contentType: "application/json", audioSeconds: audioSeconds)
    }

    static func text(_ body: String, contentType: String, audioSeconds: Double?) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let audioSeconds { headers[audioSecondsHeader] = Timecode.decimalSeconds(audioSeconds) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
