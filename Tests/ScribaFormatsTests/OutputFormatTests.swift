import Testing
import ScribaTranscript
@testable import ScribaFormats

@Suite struct OutputFormatTests {
    @Test func extensionsAreDistinct() {
        #expect(OutputFormat.allCases.map(\.fileExtension) == ["srt", "vtt", "json", "txt", "tsv", "simple.txt", "words.txt", "rttm"])
        #expect(Set(OutputFormat.allCases.map(\.fileExtension)).count == 8)
    }

    @Test func namesParseAndUnknownNamesSayWhatIsAccepted() throws {
        #expect(try OutputFormat.named("SRT") == .srt)
        #expect(try OutputFormat.named("webvtt") == .vtt)
        #expect(throws: OutputFormatError.unknown("docx")) { try OutputFormat.named("docx") }
        #expect(OutputFormatError.unknown("docx").description
            == "unknown output format 'docx'. Use one of: srt, vtt, json, txt, tsv, simple, words, rttm.")
    }

    @Test func renderDispatchesToEachWriter() {
        let t = Sample.english
        #expect(render(.srt, t) == SRTWriter.render(t))
        #expect(render(.vtt, t) == VTTWriter.render(t))
        #expect(render(.json, t) == JSONWriter.render(t))
        #expect(render(.txt, t) == TXTWriter.render(t))
        #expect(render(.tsv, t) == TSVWriter.render(t))
        #expect(render(.simple, t) == SimpleWriter.render(t))
        #expect(render(.words, t) == WordsWriter.render(t))
        // Options reach the shaper: 10-character lines force "Hello," / "world!" onto two lines.
        let narrow = OutputOptions(cues: CueOptions(maxLineChars: 10))
        #expect(render(.srt, t, options: narrow).hasPrefix("1\n01:00:00,000 --> 01:00:01,000\nHello,\nworld!\n\n"))
    }
}

@Suite struct CompactJSONTests {
    /// JSON Lines: nested arrays and objects stay on one line, in member order.
    @Test func compactIsOneLine() {
        let value = JSONValue.object([
            ("file", .string("a \"b\".wav")), ("speech", .array([.object([("start", .seconds(0.5)), ("end", .seconds(1.25))])])),
            ("empty", .array([])), ("flag", .bool(true)),
        ])
        #expect(value.compact() == #"{"file": "a \"b\".wav", "speech": [{"start": 0.500, "end": 1.250}], "empty": [], "flag": true}"#)
    }
}
