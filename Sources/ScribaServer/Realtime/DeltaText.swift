import ScribaPipeline

/// The text sent so far, so each delta carries its own separating space (none between scripts
/// written without spaces, none before a hyphenated piece) and the deltas add up to the final text. Used by `/v1/realtime` and by
/// the streamed `/v1/audio/transcriptions`.
actor DeltaText {
    private(set) var sent = ""

    func append(_ pieces: [String]) -> String {
        let joined = Transcript.joinedWords([sent] + pieces)
        let delta = String(joined.dropFirst(sent.count))
        sent = joined
        return delta
    }
}
