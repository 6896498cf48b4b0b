import ScribaPipeline

// The diarization fields `POST /transcribe` and `POST /v1/audio/transcriptions` accept:
// `diarize` (true/false, default false), and with it `speakers` (an exact count) or
// `min_speakers` / `max_speakers` (bounds), as `scriba subtitles --diarize --speakers N` takes them.
enum DiarizationFields {
    /// The options when `diarize` is true, nil when it is false or absent. A count without
    /// `diarize=true`, a count under 1, both kinds of count, or bounds the wrong way round are 400s.
    static func parse(_ form: MultipartForm) throws -> DiarizationOptions? {
        let diarize = try form.text("diarize").map { try parseBool($0, field: "diarize") } ?? false
        func count(_ name: String) throws -> Int? {
            guard let text = form.text(name) else { return nil }
            guard let value = Int(text.trimmingWhitespace()), value >= 1 else {
                throw ServerError.invalidField(name: name, value: text, expected: "a whole number of speakers, at least 1")
            }
            if !diarize { throw ServerError.invalidField(name: name, value: text, expected: "it only together with diarize=true") }
            return value
        }
        let exactly = try count("speakers"), minimum = try count("min_speakers"), maximum = try count("max_speakers")
        if let exactly, minimum != nil || maximum != nil {
            throw ServerError.invalidField(name: "speakers", value: String(exactly), expected: "either speakers or min_speakers/max_speakers, not both")
        }
        if let minimum, let maximum, minimum > maximum {
            throw ServerError.invalidField(name: "min_speakers", value: String(minimum), expected: "a number no larger than max_speakers (\(maximum))")
        }
        guard diarize else { return nil }
        return DiarizationOptions(speakers: SpeakerCount(exactly: exactly, minimum: minimum ?? 1, maximum: maximum ?? .max))
    }
}
