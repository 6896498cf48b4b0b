import HTTPTypes
import Hummingbird
import ScribaFormats
import ScribaPipeline

/// `POST /transcribe` on the ASR port (and, with subtitles added, `POST /api/transcribe` on the
/// web page's port).
struct TranscribeRoutes: Sendable {
    let engines: EngineHost
    let maxUploadBytes: Int

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("transcribe") { request, context in try await transcribe(request, context: context) }
        return routes
    }

    /// Multipart fields: `audio` (required), `language` (`auto`), `context` or `prompt`,
    /// `timestamps` (false), `diarize` (false) with `speakers` or `min_speakers`/`max_speakers`.
    struct TranscribeRequest {
        var audio: FormPart
        var language: Language?
        var context: String?
        var timestamps: Bool
        var diarization: DiarizationOptions?

        init(_ form: MultipartForm) throws {
            guard let audio = form.part("audio") else { throw ServerError.missingField("audio") }
            self.audio = audio
            language = try Language.parse(form.text("language") ?? "auto")
            context = form.text("context") ?? form.text("prompt")
            timestamps = try form.text("timestamps").map { try parseBool($0, field: "timestamps") } ?? false
            diarization = try DiarizationFields.parse(form)
        }

        var options: PipelineOptions {
            // Whisper times words itself when asked; engines with an aligner get it run per chunk.
            // Speakers go on words, so diarizing needs word times too.
            let words = timestamps || diarization != nil
            return PipelineOptions(
                recognition: RecognitionOptions(language: language, context: context, wordTimestamps: words),
                align: words)
        }
    }

    /// `{"text", "language" (the model's English name, as the original service answers),
    /// "language_code", "language_probability", "duration", "chunks", "coverage"}`, plus `"words"`,
    /// `"sentences"` and the original's `"alignment"` with timestamps, plus `"srt"` and `"vtt"`
    /// texts for the web page. With `diarize=true`: `"speakers"` (talk time), `"utterances"` (who said
    /// what) and `"speaker"` on words and sentences.
    func transcribe(_ request: Request, context: BasicRequestContext, includeSubtitles: Bool = false) async throws -> Response {
        let form = try await MultipartForm.read(request, limitBytes: maxUploadBytes)
        var input = try TranscribeRequest(form)
        if includeSubtitles { input.timestamps = true }
        let transcript = try await engines.transcribe(input.audio, options: input.options, diarization: input.diarization)

        var members: [(String, JSONValue)] = [
            ("text", .string(transcript.text)),
            ("language", .string(transcript.languageName)),
            ("language_code", .string(transcript.language)),
            ("language_probability", JSONWriter.probability(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("chunks", ResponseJSON.chunks(transcript)),
            ("coverage", .string(transcript.coverageLabel)),
        ]
        if input.timestamps {
            // Words and sentences once, for the flat keys and the original's `alignment` alike.
            let words = JSONWriter.plainWords(transcript), sentences = JSONWriter.sentences(transcript)
            members.append(("words", words))
            members.append(("sentences", sentences))
            members.append(("alignment", transcript.words.isEmpty ? .null : .object([("words", words), ("sentences", sentences)])))
        }
        members += ResponseJSON.speakers(transcript)
        if includeSubtitles {
            members.append(("srt", .string(render(.srt, transcript))))
            members.append(("vtt", .string(render(.vtt, transcript))))
        }
        return ResponseJSON.response(.object(members), audioSeconds: transcript.duration).withCoverage(of: transcript)
    }
}

extension Transcript {
    /// "complete", or "partial" when some chunk is truncated, looped or failed.
    var coverageLabel: String { isComplete ? "complete" : "partial" }
}

extension Response {
    /// Never a bare 200 with missing audio: `X-Scriba-Coverage: complete|partial`.
    static let coverageHeader = HTTPField.Name("X-Scriba-Coverage")!

    func withCoverage(of transcript: Transcript) -> Response {
        var response = self
        response.headers[Self.coverageHeader] = transcript.coverageLabel
        return response
    }
}

/// true/false, 1/0, yes/no, on/off (HTML checkboxes send "on").
func parseBool(_ text: String, field: String) throws -> Bool {
    switch text.lowercased() {
    case "true", "1", "yes", "on": return true
    case "false", "0", "no", "off": return false
    default: throw ServerError.invalidField(name: field, value: text, expected: "true or false")
    }
}
