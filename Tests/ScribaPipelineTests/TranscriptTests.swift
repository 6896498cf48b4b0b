import Foundation
import Testing
@testable import ScribaPipeline

@Suite struct TranscriptTests {
    @Test func codableRoundTripWithSortedKeysIsStable() throws {
        let transcript = Transcript(
            language: "en", duration: 3.5,
            segments: [TranscriptSegment(start: 0.25, end: 1.75, text: "Hi there.", words: [
                TimedWord(text: "Hi", start: 0.25, end: 0.5, confidence: 0.9),
                TimedWord(text: "there", start: 0.6, end: 1.75),
            ])],
            chunks: [ChunkCoverage(start: 0, end: 3.5, status: .truncated)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(transcript)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.hasPrefix(#"{"chunks":[{"end":3.5,"start":0,"status":"truncated"}],"duration":3.5,"language":"en","segments":[{"end":1.75,"start":0.25,"text":"Hi there.","words":[{"confidence":0.9,"end":0.5,"start":0.25,"word":"Hi"},{"end":1.75"#))
        #expect(try JSONDecoder().decode(Transcript.self, from: data) == transcript)
        #expect(transcript.words.map(\.text) == ["Hi", "there"])
        // Files written before words were keyed `word` still read.
        let old = try JSONDecoder().decode(TimedWord.self, from: Data(#"{"text":"Hi","start":0.25,"end":0.5}"#.utf8))
        #expect(old == TimedWord(text: "Hi", start: 0.25, end: 0.5))
    }

    @Test func aTextsScriptNamesTheLanguageTheAlignerTreatsItAs() {
        #expect(ScriptClass.language(ofText: "今天天气很好。").code == "zh")
        // Japanese mixes Han with kana; kana decides.
        #expect(ScriptClass.language(ofText: "今日は天気がいいです").code == "ja")
        #expect(ScriptClass.language(ofText: "カタカナ").code == "ja")
        #expect(ScriptClass.language(ofText: "오늘 날씨가 좋네요").code == "ko")
        // Space-split scripts and a Chinese name in English text: English.
        #expect(ScriptClass.language(ofText: "Bonjour à tous").code == "en")
        #expect(ScriptClass.language(ofText: "We met 王 in Beijing yesterday").code == "en")
        #expect(ScriptClass.language(ofText: "").code == "en")
    }
}
