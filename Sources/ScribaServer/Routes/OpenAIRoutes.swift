import Hummingbird
import ScribaFormats
import ScribaPipeline

/// OpenAI's audio transcription API on the ASR port, so the official clients work unchanged:
/// `POST /v1/audio/transcriptions` and `GET /v1/models`.
struct OpenAIRoutes: Sendable {
    let engines: EngineHost
    let maxUploadBytes: Int

    var routes: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("v1/audio/transcriptions") { request, context in try await transcriptions(request, context: context) }
        routes.get("v1/models") { _, _ in try await models() }
        return routes
    }

    enum ResponseFormat: String, CaseIterable {
        case json, text, srt, vtt
        case verboseJSON = "verbose_json"
    }

    /// Fields as OpenAI names them: `file`, `model` (any value: the loaded model answers),
    /// `language`, `prompt`, `response_format`, `timestamp_granularities[]`; `temperature` is ignored.
    struct TranscriptionRequest {
        var file: FormPart
        var language: Language?
        var prompt: String?
        var format: ResponseFormat
        var wordTimestamps: Bool
        var segmentTimestamps: Bool
        /// `stream=true`: Server-Sent Events (`transcript.text.delta`, then `transcript.text.done`).
        var stream: Bool
        /// `diarize=true` (Scriba's addition): `speaker` on verbose_json's segments and words, speaker
        /// labels in srt/vtt.
        var diarization: DiarizationOptions?

        init(_ form: MultipartForm) throws {
            guard let file = form.part("file") else { throw ServerError.missingField("file") }
            self.file = file
            language = try Language.parse(form.text("language") ?? "auto")
            prompt = form.text("prompt")
            let formatName = form.text("response_format") ?? "json"
            guard let format = ResponseFormat(rawValue: formatName.lowercased()) else {
                throw ServerError.invalidField(name: "response_format", value: formatName,
                                               expected: ResponseFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.format = format
            let granularities = form.texts("timestamp_granularities[]") + form.texts("timestamp_granularities")
            for value in granularities where value != "word" && value != "segment" {
                throw ServerError.invalidField(name: "timestamp_granularities[]", value: value, expected: "word or segment")
            }
            wordTimestamps = granularities.contains("word")
            // OpenAI's default granularity is segment.
            segmentTimestamps = granularities.isEmpty || granularities.contains("segment")
            let streamValue = form.text("stream")?.lowercased() ?? "false"
            guard ["true", "false"].contains(streamValue) else {
                throw ServerError.invalidField(name: "stream", value: streamValue, expected: "true or false")
            }
            stream = streamValue == "true"
            diarization = try DiarizationFields.parse(form)
            if stream, diarization != nil {
                throw ServerError.invalidField(name: "diarize", value: "true", expected: "false with stream=true (streamed text carries no speakers)")
            }
        }

        var options: PipelineOptions {
            // Subtitles and word lists want word times; plain text does not pay for alignment.
            let words = (format == .verboseJSON && wordTimestamps) || format == .srt || format == .vtt || diarization != nil
            return PipelineOptions(
                recognition: RecognitionOptions(language: language, context: prompt, wordTimestamps: words),
                align: words)
        }
    }

    func transcriptions(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await MultipartForm.read(request, limitBytes: maxUploadBytes)
        let input = try TranscriptionRequest(form)
        if input.stream { return try await streamed(input) }
        let transcript = try await engines.transcribe(input.file, options: input.options, diarization: input.diarization)
        let seconds = transcript.duration
        return response(transcript, input, seconds: seconds).withCoverage(of: transcript)
    }

    func response(_ transcript: Transcript, _ input: TranscriptionRequest, seconds: Double) -> Response {
        switch input.format {
        case .json:
            return ResponseJSON.response(.object([("text", .string(transcript.text))]), audioSeconds: seconds)
        case .text:
            return ResponseJSON.text(transcript.text + "\n", contentType: "text/plain; charset=utf-8", audioSeconds: seconds)
        case .srt:
            return ResponseJSON.text(render(.srt, transcript), contentType: OutputFormat.srt.mediaType, audioSeconds: seconds)
        case .vtt:
            return ResponseJSON.text(render(.vtt, transcript), contentType: OutputFormat.vtt.mediaType, audioSeconds: seconds)
        case .verboseJSON:
            return ResponseJSON.response(verbose(transcript, input), audioSeconds: seconds)
        }
    }

    /// OpenAI's verbose_json: language as a lowercase English name ("english") and its probability
    /// (null when it was given, not detected), segments as
    /// sentences (id, start, end, text — the decoder statistics OpenAI adds are not invented here).
    /// Diarized: `speaker` on segments and words, and the `speakers` with their talk time.
    func verbose(_ transcript: Transcript, _ input: TranscriptionRequest) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("task", .string("transcribe")),
            ("language", .string(transcript.languageName.lowercased())),
            ("language_probability", JSONWriter.probability(transcript)),
            ("duration", .seconds(transcript.duration)),
            ("text", .string(transcript.text)),
            ("coverage", .string(transcript.coverageLabel)),
        ]
        if input.segmentTimestamps {
            let sentences = SentenceGrouper.sentences(in: transcript)
            members.append(("segments", .array(sentences.enumerated().map { index, sentence in
                .object([
                    ("id", .int(index)), ("start", .seconds(sentence.start)), ("end", .seconds(sentence.end)),
                    ("text", .string(sentence.text)),
                ] + JSONWriter.speaker(sentence.speaker))
            })))
        }
        if input.wordTimestamps { members.append(("words", JSONWriter.plainWords(transcript))) }
        members += ResponseJSON.speakers(transcript).prefix(1)
        return .object(members)
    }

    /// `{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}`
    func models() async throws -> Response {
        _ = try await engines.readyPipeline()
        let created = await engines.loadedAt ?? 0
        let data = await engines.modelNames.map { name in
            JSONValue.object([
                ("id", .string(name)), ("object", .string("model")), ("created", .int(created)),
                ("owned_by", .string("scriba")),
            ])
        }
        return ResponseJSON.response(.object([("object", .string("list")), ("data", .array(data))]), audioSeconds: nil)
    }
}
