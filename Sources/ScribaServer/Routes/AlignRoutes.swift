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

    /// Multipart fields: `audio`, `text`, `language` (all required; the aligner cannot detect it).
    struct AlignRequest {
        var audio: FormPart
        var text: String
        var language: Language

        init(_ form: MultipartForm) throws {
            guard let audio = form.part("audio") else { throw ServerError.missingField("audio") }
            guard let text = form.text("text") else { throw ServerError.missingField("text") }
            guard let code = form.text("language") else { throw ServerError.missingField("language") }
            guard let language = try Language.parse(code) else {
                let codes = Language.known.map(\.code).joined(separator: ", ")
                throw ServerError.invalidField(name: "language", value: code,
                                               expected: "the language of the text (the aligner does not detect it): one of \(codes)")
            }
            self.audio = audio
            self.text = text
            self.language = language
        }
    }

    /// `{"words": [{"word","start","end"}], "sentences": [{"text","start","end"}], "duration"}`
    func align(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await MultipartForm.read(request, limitBytes: maxUploadBytes)
        let input = try AlignRequest(form)
        let transcript = try await engines.align(input.audio, text: input.text, language: input.language)
        let body = JSONValue.object([
            ("words", ResponseJSON.words(transcript)),
            ("sentences", ResponseJSON.sentences(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("language", .string(transcript.language)),
        ])
        return ResponseJSON.response(body, audioSeconds: transcript.duration)
    }
}
