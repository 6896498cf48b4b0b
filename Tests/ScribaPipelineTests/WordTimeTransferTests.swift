import ScribaPipeline
import Testing


@Suite struct WordTimeTransferTests {
    let english = Language.known.first { $0.code == "en" }!
    let chinese = Language.known.first { $0.code == "zh" }!

    func word(_ text: String, _ start: Double, _ end: Double) -> TimedWord {
        TimedWord(text: text, start: start, end: end)
    }

    func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }
    }

    @Test func unitsDropPunctuationButKeepWords() {
        #expect(WordTimeTransfer.units(of: "And Mr. John — Dashwood, had!", language: english) == ["And", "Mr", "John", "Dashwood", "had"])
        #expect(WordTimeTransfer.units(of: "你好，世界", language: chinese) == ["你", "好", "世", "界"])
    }

    @Test func matchedWordsTakeTheRecognisedTimes() {
        let recognized = [word(" And", 0, 0.34), word(" Mr.", 0.34, 0.7), word(" John", 0.7, 1.0), word(" Dashwood", 1.0, 1.6)]
        let words = WordTimeTransfer.transfer(["and", "Mr", "John", "Dashwood"], onto: recognized, language: english, duration: 2)
        #expect(words.map(\.text) == ["and", "Mr", "John", "Dashwood"])
        #expect(words.map(\.start) == [0, 0.34, 0.7, 1.0])
        #expect(words.map(\.end) == [0.34, 0.7, 1.0, 1.6])
    }

    @Test func unmatchedRunsShareTheSpanOfWhatWasHeardThere() {
        // "Mister" was heard as "Mr." and "Jon": both unmatched, they split 0.34–1.0 evenly.
        let recognized = [word("And", 0, 0.34), word("Mr.", 0.34, 0.7), word("Jon", 0.7, 1.0), word("Dashwood", 1.0, 1.6)]
        let words = WordTimeTransfer.transfer(["And", "Mister", "John", "Dashwood"], onto: recognized, language: english, duration: 2)
        #expect(close(words.map(\.start), [0, 0.34, 0.67, 1.0]))
        #expect(close(words.map(\.end), [0.34, 0.67, 1.0, 1.6]))
    }

    @Test func wordsPastTheLastMatchRunToTheEndOfTheAudio() {
        let recognized = [word("hello", 0.5, 1.0)]
        let words = WordTimeTransfer.transfer(["hello", "there", "friend"], onto: recognized, language: english, duration: 3)
        #expect(words.map(\.start) == [0.5, 1.0, 2.0])
        #expect(words.last?.end == 3)
    }

    @Test func nothingRecognisedSpreadsTheWholeText() {
        let words = WordTimeTransfer.transfer(["a", "b"], onto: [], language: english, duration: 4)
        #expect(words.map(\.start) == [0, 2])
        #expect(words.map(\.end) == [2, 4])
    }

    @Test func unspacedLanguagesMatchPerCharacter() {
        let recognized = [word("你好", 0, 1), word("世界", 1, 3)]
        let words = WordTimeTransfer.transfer(["你", "好", "世", "界"], onto: recognized, language: chinese, duration: 3)
        #expect(words.map(\.start) == [0, 0.5, 1, 2])
        #expect(words.map(\.end) == [0.5, 1, 2, 3])
    }
}
