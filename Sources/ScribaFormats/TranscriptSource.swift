/// Where a transcript came from, for the `metadata` the JSON formats carry (the original pipeline's
/// readers look for `metadata.file`). Empty fields print as null.
public struct TranscriptSource: Sendable, Hashable {
    /// The input's file name.
    public var file: String?
    /// `qwen3`, `whisper`, `remote`.
    public var engine: String?
    /// The recogniser's model name ("whisper-base", "Qwen3-ASR-1.7B").
    public var model: String?

    public init(file: String? = nil, engine: String? = nil, model: String? = nil) {
        self.file = file
        self.engine = engine
        self.model = model
    }

    /// RTTM's file id: the input's name without its extension ("audio" when unknown).
    public var rttmFileID: String {
        guard let file, !file.isEmpty else { return "audio" }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
