import Hummingbird
import ScribaFormats
import ScribaPipeline

/// `POST /align` on the aligner port: times for a known text.
struct AlignRoutes: Sendable {
    let engines: EngineHost
    let maxUploadBytes: Int

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("align") { request, context in try await align(request, context: context) }
        return routes
    }

    /// Multipart fields: `audio`, `text` (required), `language` (`auto` when absent, as the original
    /// batch script sends it: taken from the text's script, `ScriptClass.language(ofText:)`).
    struct AlignRequest {
        var audio: FormPart
        var text: String
        var language: Language
        /// The language came from the text's script, not from the request.
        var languageFromScript: Bool

        init(_ form: MultipartForm) throws {
            guard let audio = form.part("audio") else { throw ServerError.missingField("audio") }
            guard let text = form.text("text") else { throw ServerError.missingField("text") }
            self.audio = audio
            self.text = text
            if let language = try Language.parse(form.text("language") ?? "auto") {
                self.language = language
                languageFromScript = false
            } else {
                language = ScriptClass.language(ofText: text)
                languageFromScript = true
            }
        }
    }

    /// `{"words": [{"word","start","end"}], "sentences": [{"text","start","end"}], "duration",
    /// "language" (code), "language_name", "language_source": "request"|"script"}`
    func align(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await MultipartForm.read(request, limitBytes: maxUploadBytes)
        let input = try AlignRequest(form)
        let transcript = try await engines.align(input.audio, text: input.text, language: input.language)
        let body = JSONValue.object([
            ("words", JSONWriter.plainWords(transcript)),
            ("sentences", JSONWriter.sentences(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("language", .string(input.language.code)),
            ("language_name", .string(input.language.name)),
            ("language_source", .string(input.languageFromScript ? "script" : "request")),
        ])
        return ResponseJSON.response(body, audioSeconds: transcript.duration)
    }
}
