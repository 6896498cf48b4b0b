import Foundation
import ScribaTranscript

/// Hand-built transcripts the writer tests share.
enum Sample {
    /// Over one hour in, three sentences in two segments, one word with a confidence, chunks.
    static let english = Transcript(
        language: "en", duration: 3725.5,
        segments: [
            TranscriptSegment(start: 3600.0, end: 3602.3, text: "Hello, world! This is Scriba.", words: [
                TimedWord(text: "Hello", start: 3600.0, end: 3600.4),
                TimedWord(text: "world", start: 3600.5, end: 3601.0),
                TimedWord(text: "This", start: 3601.2, end: 3601.4),
                TimedWord(text: "is", start: 3601.45, end: 3601.6),
                TimedWord(text: "Scriba", start: 3601.7, end: 3602.3, confidence: 0.875),
            ]),
            TranscriptSegment(start: 3700.25, end: 3702.0, text: "Fish & chips, please.", words: [
                TimedWord(text: "Fish", start: 3700.25, end: 3700.6),
                TimedWord(text: "chips", start: 3700.8, end: 3701.2),
                TimedWord(text: "please", start: 3701.3, end: 3702.0),
            ]),
        ],
        chunks: [ChunkCoverage(start: 3600, end: 3630, status: .ok), ChunkCoverage(start: 3630, end: 3660, status: .empty)])

    /// Chinese, one segment, one aligned unit per character.
    static let chinese: Transcript = {
        let units: [(String, Double)] = [
            ("你", 0.5), ("好", 0.7), ("世", 1.0), ("界", 1.2),
            ("今", 2.0), ("天", 2.2), ("天", 2.4), ("气", 2.6), ("很", 2.8), ("好", 3.0),
        ]
        let words = units.map { TimedWord(text: $0.0, start: $0.1, end: $0.1 + 0.2) }
        return Transcript(language: "zh", duration: 5, segments: [
            TranscriptSegment(start: 0.5, end: 3.2, text: "你好，世界。今天天气很好！", words: words),
        ])
    }()

    static let empty = Transcript(language: "", duration: 0, segments: [])
}

/// `Tests/Fixtures/formats/<name>` as text.
func goldenFile(_ name: String, file: String = #filePath) throws -> String {
    var url = URL(fileURLWithPath: file).deletingLastPathComponent()
    while url.path != "/" {
        let candidate = url.appendingPathComponent("Fixtures/formats/\(name)")
        if FileManager.default.fileExists(atPath: candidate.path) {
            return try String(contentsOf: candidate, encoding: .utf8)
        }
        url = url.deletingLastPathComponent()
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Tests/Fixtures/formats/\(name)"])
}
