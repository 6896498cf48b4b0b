import Foundation
import Testing
import ScribaTranscript
@testable import ScribaFormats

@Suite struct WriterTests {
    @Test func srtOverOneHour() {
        #expect(SRTWriter.render(Sample.english) == """
            1
            01:00:00,000 --> 01:00:01,000
            Hello, world!

            2
            01:00:01,200 --> 01:00:02,300
            This is Scriba.

            3
            01:01:40,250 --> 01:01:42,000
            Fish & chips, please.


            """)
    }

    @Test func srtChinese() {
        #expect(SRTWriter.render(Sample.chinese) == """
            1
            00:00:00,500 --> 00:00:01,400
            你好，世界。

            2
            00:00:02,000 --> 00:00:03,200
            今天天气很好！


            """)
    }

    @Test func vttEscapesAndUsesDot() {
        #expect(VTTWriter.render(Sample.english) == """
            WEBVTT

            01:00:00.000 --> 01:00:01.000
            Hello, world!

            01:00:01.200 --> 01:00:02.300
            This is Scriba.

            01:01:40.250 --> 01:01:42.000
            Fish &amp; chips, please.

            """)
        #expect(VTTWriter.escape("a<b>&c") == "a&lt;b&gt;&amp;c")
    }

    @Test func vttAndTSVChinese() {
        #expect(VTTWriter.render(Sample.chinese) == "WEBVTT\n\n00:00:00.500 --> 00:00:01.400\n你好，世界。\n\n00:00:02.000 --> 00:00:03.200\n今天天气很好！\n")
        #expect(TSVWriter.render(Sample.chinese) == "start\tend\ttext\n500\t1400\t你好，世界。\n2000\t3200\t今天天气很好！\n")
    }

    @Test func tsvLikeWhisper() {
        #expect(TSVWriter.render(Sample.english) == """
            start\tend\ttext
            3600000\t3601000\tHello, world!
            3601200\t3602300\tThis is Scriba.
            3700250\t3702000\tFish & chips, please.

            """)
    }

    @Test func txtOneSentencePerLine() {
        #expect(TXTWriter.render(Sample.english) == "Hello, world!\nThis is Scriba.\nFish & chips, please.\n")
        #expect(TXTWriter.render(Sample.chinese) == "你好，世界。\n今天天气很好！\n")
    }

    @Test func simpleForm() {
        #expect(SimpleWriter.render(Sample.english) == """
            [01:00:00.000 - 01:00:01.000] Hello, world!
            [01:00:01.200 - 01:00:02.300] This is Scriba.
            [01:01:40.250 - 01:01:42.000] Fish & chips, please.

            """)
        #expect(SimpleWriter.render(Sample.chinese) == """
            [00:00:00.500 - 00:00:01.400] 你好，世界。
            [00:00:02.000 - 00:00:03.200] 今天天气很好！

            """)
    }

    @Test func wordForm() {
        #expect(WordsWriter.render(Sample.english) == """
            Hello,(3600.000-3600.400) world!(3600.500-3601.000)
            This(3601.200-3601.400) is(3601.450-3601.600) Scriba.(3601.700-3602.300)
            Fish &(3700.250-3700.600) chips,(3700.800-3701.200) please.(3701.300-3702.000)

            """)
        #expect(WordsWriter.render(Sample.chinese) == """
            你(0.500-0.700) 好，(0.700-0.900) 世(1.000-1.200) 界。(1.200-1.400)
            今(2.000-2.200) 天(2.200-2.400) 天(2.400-2.600) 气(2.600-2.800) 很(2.800-3.000) 好！(3.000-3.200)

            """)
    }

    @Test func jsonMatchesGoldenFileAndReadsBack() throws {
        let json = JSONWriter.render(Sample.english)
        #expect(json == (try goldenFile("transcript-en.json")))
        let decoded = try JSONDecoder().decode(Transcript.self, from: Data(json.utf8))
        #expect(decoded == Sample.english)
        #expect(JSONWriter.render(Sample.chinese) == (try goldenFile("transcript-zh.json")))
    }

    @Test func jsonChunkNotesAreWrittenWhenAGuardActedAndReadBack() throws {
        var transcript = Sample.english
        transcript.chunks = [ChunkCoverage(start: 3600, end: 3630, status: .ok,
                                           note: "2 words recovered from 1 stretch of speech the decoder skipped")]
        let json = JSONWriter.render(transcript)
        #expect(json.contains(#""note": "2 words recovered from 1 stretch of speech the decoder skipped""#))
        #expect(try JSONDecoder().decode(Transcript.self, from: Data(json.utf8)) == transcript)
        // A chunk no guard touched has no "note" key (the golden files above).
        #expect(!JSONWriter.render(Sample.english).contains("\"note\""))
    }

    @Test func jsonOfAnUnalignedFileHasNullAlignmentAndItsMetadata() throws {
        // The aligner failed on the only chunk: the text stays, on the recogniser's segment time.
        let transcript = Transcript(language: "zh", duration: 2, segments: [TranscriptSegment(start: 0, end: 2, text: "你好。")],
                                    chunks: [ChunkCoverage(start: 0, end: 2, status: .unaligned, note: "aligner failed")],
                                    languageProbability: 0.912)
        let json = JSONWriter.render(transcript, source: TranscriptSource(file: "talk.wav", engine: "whisper", model: "whisper-base"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["alignment"] is NSNull)
        #expect(object["language"] as? String == "zh" && object["language_name"] as? String == "Chinese")
        #expect((object["language_probability"] as? NSNumber)?.doubleValue == 0.912)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["file"] as? String == "talk.wav" && metadata["engine"] as? String == "whisper")
        #expect(metadata["model"] as? String == "whisper-base")
        #expect(metadata["language"] as? String == "Chinese" && metadata["language_code"] as? String == "zh")
        let chunk = try #require((object["chunks"] as? [[String: Any]])?.first)
        #expect(chunk["status"] as? String == "unaligned" && chunk["alignment"] is NSNull)
        // Sentences still come from the text, on the segment's time.
        #expect((object["sentences"] as? [[String: Any]])?.first?["text"] as? String == "你好。")
        #expect(try JSONDecoder().decode(Transcript.self, from: Data(json.utf8)) == transcript)
    }

    @Test func jsonEscapesControlCharacters() {
        #expect(JSONValue.string("a\"b\\c\nd\u{01}é").rendered() == #""a\"b\\c\nd\u0001é""#)
    }

    @Test func emptyTranscriptInEveryFormat() {
        #expect(SRTWriter.render(Sample.empty) == "")
        #expect(VTTWriter.render(Sample.empty) == "WEBVTT\n")
        #expect(TSVWriter.render(Sample.empty) == "start\tend\ttext\n")
        #expect(TXTWriter.render(Sample.empty) == "")
        #expect(SimpleWriter.render(Sample.empty) == "")
        #expect(WordsWriter.render(Sample.empty) == "")
        #expect(JSONWriter.render(Sample.empty) == """
            {
              "language": "",
              "language_name": "",
              "language_probability": null,
              "duration": 0.000,
              "text": "",
              "segments": [],
              "sentences": [],
              "alignment": null,
              "metadata": {
                "file": null,
                "language": "",
                "language_code": "",
                "language_probability": null,
                "duration": 0.000,
                "engine": null,
                "model": null
              }
            }

            """)
    }

    @Test func segmentWithoutWordsStillRenders() {
        let transcript = Transcript(language: "en", duration: 20, segments: [
            TranscriptSegment(start: 10, end: 14, text: "No aligner ran. So times are shared."),
        ])
        // "No aligner ran." has 13 non-space characters, the second sentence 17: 4 s × 13/30.
        #expect(SimpleWriter.render(transcript) == """
            [00:00:10.000 - 00:00:11.733] No aligner ran.
            [00:00:11.733 - 00:00:14.000] So times are shared.

            """)
        #expect(WordsWriter.render(transcript).hasPrefix("No aligner ran.(10.000-11.733)\n"))
        let srt = SRTWriter.render(transcript)
        #expect(srt.hasPrefix("1\n00:00:10,000 --> "))
        #expect(srt.contains("So times are shared."))
    }
}
