import Foundation
import ScribaTranscript

/// Every transcript format Scriba writes; the CLI and the server render through `render`.
public enum OutputFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case srt, vtt, json, txt, tsv, simple, words
    /// The diarization's speaker turns (`RTTMWriter`); only a diarized transcript has them.
    case rttm

    public var description: String { rawValue }

    /// What to append to a base name. `simple` and `words` are text files that must not collide
    /// with `txt` when several formats are written side by side.
    public var fileExtension: String {
        switch self {
        case .srt: "srt"
        case .vtt: "vtt"
        case .json: "json"
        case .txt: "txt"
        case .tsv: "tsv"
        case .simple: "simple.txt"
        case .words: "words.txt"
        case .rttm: "rttm"
        }
    }

    /// MIME type for HTTP responses.
    public var mediaType: String {
        switch self {
        case .srt: "application/x-subrip; charset=utf-8"
        case .vtt: "text/vtt; charset=utf-8"
        case .json: "application/json"
        case .tsv: "text/tab-separated-values; charset=utf-8"
        case .txt, .simple, .words, .rttm: "text/plain; charset=utf-8"
        }
    }

    /// Parses a name ("srt", "VTT", "webvtt"); throws with the accepted names otherwise.
    public static func named(_ name: String) throws -> OutputFormat {
        let key = name.lowercased()
        if key == "webvtt" { return .vtt }
        if let format = OutputFormat(rawValue: key) { return format }
        throw OutputFormatError.unknown(name)
    }
}

public enum OutputFormatError: Error, Equatable, LocalizedError, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case .unknown(let name):
            "unknown output format '\(name)'. Use one of: "
                + OutputFormat.allCases.map(\.rawValue).joined(separator: ", ") + "."
        }
    }

    public var errorDescription: String? { description }
}

/// Options for `render`; only subtitle formats read `cues`, only JSON reads `source`.
public struct OutputOptions: Sendable, Hashable {
    public var cues: CueOptions
    public var source: TranscriptSource

    public init(cues: CueOptions = .init(), source: TranscriptSource = .init()) {
        self.cues = cues
        self.source = source
    }
}

/// The one entry point: a transcript in the given format.
public func render(_ format: OutputFormat, _ transcript: Transcript, options: OutputOptions = .init()) -> String {
    switch format {
    case .srt: SRTWriter.render(transcript, options: options.cues)
    case .vtt: VTTWriter.render(transcript, options: options.cues)
    case .json: JSONWriter.render(transcript, source: options.source)
    case .txt: TXTWriter.render(transcript)
    case .tsv: TSVWriter.render(transcript)
    case .simple: SimpleWriter.render(transcript)
    case .words: WordsWriter.render(transcript)
    case .rttm: RTTMWriter.render(transcript.turns ?? [], fileID: options.source.rttmFileID)
    }
}
