import Foundation
import Testing
@testable import ScribaModels
import ScribaTestSupport

/// Reference ids and decodes made by scripts/fixtures/make_tokenizer_fixtures.py
/// (see Tests/Fixtures/README.md).
struct TokenizerReference: Decodable {
    struct Entry: Decodable {
        var text: String
        var ids: [Int]
        var idsWithoutSpecial: [Int]
        var decoded: String
        var decodedSkippingSpecial: String
        var roundTrip: Bool
    }
    struct DecodeCase: Decodable {
        var ids: [Int]
        var text: String
        var skipSpecial: Bool?
    }
    var vocabularySize: Int
    var entries: [Entry]
    var decodes: [DecodeCase]
    var tokens: [String: Int]
}

enum TokenizerFixtures {
    static let directory = TestLocations.fixtures.appendingPathComponent("tokenizer")

    /// Loaded once: the real Qwen vocabulary takes a moment to parse in a debug build.
    static let qwen = Result { try BPETokenizer.load(folder: directory.appendingPathComponent("qwen")) }
    static let gpt2Style = Result { try BPETokenizer.load(folder: directory.appendingPathComponent("gpt2style")) }

    static func reference(_ name: String) throws -> TokenizerReference {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(TokenizerReference.self, from: data)
    }
}

@Suite struct TokenizerReferenceTests {
    // MARK: Qwen2/Qwen3 (vocab.json + merges.txt + tokenizer_config.json, NFC + Qwen2 split)

    @Test func qwenCorpusHasEveryScript() throws {
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        let texts = reference.entries.map(\.text)
        #expect(texts.count >= 30)
        // zh, ja kana, ko hangul, emoji, digits, a newline, a special token: each appears somewhere.
        let probes: [(String, (Unicode.Scalar) -> Bool)] = [
            ("CJK", { (0x4E00...0x9FFF).contains($0.value) }),
            ("kana", { (0x3040...0x30FF).contains($0.value) }),
            ("hangul", { (0xAC00...0xD7A3).contains($0.value) }),
            ("emoji", { (0x1F300...0x1FAFF).contains($0.value) }),
            ("digit", { (0x30...0x39).contains($0.value) }),
            ("newline", { $0 == "\n" }),
        ]
        for (name, probe) in probes {
            #expect(texts.contains { $0.unicodeScalars.contains(where: probe) }, "no \(name) line")
        }
        #expect(texts.contains { $0.contains("<|im_start|>") })
    }

    @Test func qwenIdsMatchReference() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        for entry in reference.entries {
            #expect(tokenizer.encode(entry.text) == entry.ids, "\(entry.text.debugDescription)")
        }
    }

    @Test func qwenIdsWithSpecialTokensDisallowedMatchReference() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        for entry in reference.entries {
            #expect(tokenizer.encode(entry.text, allowSpecial: false) == entry.idsWithoutSpecial,
                    "\(entry.text.debugDescription)")
        }
        // "<|im_end|>" as text is "<", "|", "im", "_end", "|", ">" (27, 91, 318, 6213, 91, 29) rather than 151645.
        #expect(!tokenizer.encode("<|im_end|>", allowSpecial: false).contains(151645))
        #expect(tokenizer.encode("<|im_end|>") == [151645])
    }

    @Test func qwenDecodeMatchesReferenceAndRoundTrips() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        var roundTrips = 0
        for entry in reference.entries {
            let decoded = tokenizer.decode(entry.ids)
            #expect(decoded == entry.decoded, "\(entry.text.debugDescription)")
            #expect(tokenizer.decode(entry.ids, skipSpecial: true) == entry.decodedSkippingSpecial,
                    "\(entry.text.debugDescription)")
            if entry.roundTrip {
                #expect(tokenizer.decode(tokenizer.encode(entry.text)) == entry.text, "\(entry.text.debugDescription)")
                roundTrips += 1
            }
        }
        #expect(roundTrips >= 30)
    }

    @Test func qwenNormalisesToNFC() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        // "e" + U+0301 and "é" (U+00E9) are the same text after NFC, so they get the same ids.
        #expect(tokenizer.encode("Cafe\u{301}") == tokenizer.encode("Caf\u{E9}"))
        #expect(tokenizer.decode(tokenizer.encode("Cafe\u{301}")).unicodeScalars.count == 4)
    }

    @Test func qwenDecodesByteFragmentsLikeReference() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        #expect(!reference.decodes.isEmpty)
        for decode in reference.decodes {
            #expect(tokenizer.decode(decode.ids, skipSpecial: decode.skipSpecial ?? false) == decode.text)
        }
        // A lone 0xE4 (lead byte of a 3-byte character) becomes one U+FFFD; "abc" survives.
        #expect(tokenizer.decode([160, 13683]) == "\u{FFFD}abc")
        // Unknown ids are skipped, as the reference does.
        #expect(tokenizer.decode([9707, -1, 10_000_000]) == tokenizer.decode([9707]))
    }

    @Test func qwenSpecialTokensAreLookedUpByName() throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        #expect(tokenizer.vocabularySize == reference.vocabularySize)  // 151,643 + 63 added = 151,706
        for (name, id) in reference.tokens {
            #expect(tokenizer.id(of: name) == id, "\(name)")
            #expect(tokenizer.token(of: id) == name, "\(id)")
        }
        #expect(tokenizer.id(of: "<|audio_pad|>") == 151676)
        #expect(tokenizer.id(of: "<asr_text>") == 151704)
        #expect(tokenizer.isSpecial(151645))
        #expect(!tokenizer.isSpecial(151704))
        #expect(tokenizer.id(of: "<|no_such_token|>") == nil)
        #expect(tokenizer.token(of: 151643 + 10_000) == nil)
    }

    @Test func qwenEncodesConcurrentlyWithSameIds() async throws {
        let tokenizer = try TokenizerFixtures.qwen.get()
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        let entries = reference.entries
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var bad = 0
                    for entry in entries.shuffled() where tokenizer.encode(entry.text) != entry.ids { bad += 1 }
                    return bad + worker * 0
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    /// Prints load time and encode speed (first pass with an empty word cache, then 20 cached passes)
    /// while checking every result against the reference.
    @Test func qwenEncodeSpeed() throws {
        let clock = ContinuousClock()
        var loaded: BPETokenizer?
        let loadTime = try clock.measure {
            loaded = try BPETokenizer.load(folder: TokenizerFixtures.directory.appendingPathComponent("qwen"))
        }
        let tokenizer = try #require(loaded)
        let reference = try TokenizerFixtures.reference("qwen_reference.json")
        var mismatches = 0
        func pass() -> Int {
            var tokens = 0
            for entry in reference.entries {
                let ids = tokenizer.encode(entry.text)
                tokens += ids.count
                if ids != entry.ids { mismatches += 1 }
            }
            return tokens
        }
        var coldTokens = 0
        let cold = clock.measure { coldTokens = pass() }
        var warmTokens = 0
        let warm = clock.measure { for _ in 0..<20 { warmTokens += pass() } }
        #expect(mismatches == 0)
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        print("BPETokenizer: load \(String(format: "%.2f", seconds(loadTime))) s; encode cold \(Int(Double(coldTokens) / seconds(cold))) tokens/s, cached \(Int(Double(warmTokens) / seconds(warm))) tokens/s")
    }

    struct FuzzReference: Decodable {
        struct Entry: Decodable {
            var text: String
            var qwen: [Int]
            var qwenDecoded: String
            var gpt2style: [Int]
        }
        var entries: [Entry]
    }

    /// 400 seeded random strings built from class-edge characters (marks, Nl/No digits, every Unicode
    /// space, format characters, contractions, partial special tokens), for both split patterns.
    @Test func fuzzStringsMatchReference() throws {
        let qwen = try TokenizerFixtures.qwen.get()
        let gpt2Style = try TokenizerFixtures.gpt2Style.get()
        let data = try Data(contentsOf: TokenizerFixtures.directory.appendingPathComponent("fuzz_reference.json"))
        let fuzz = try JSONDecoder().decode(FuzzReference.self, from: data)
        #expect(fuzz.entries.count == 400)
        var qwenMismatches = 0
        var gpt2Mismatches = 0
        for entry in fuzz.entries {
            let ids = qwen.encode(entry.text)
            if ids != entry.qwen {
                qwenMismatches += 1
                Issue.record("qwen \(entry.text.debugDescription): \(ids) != \(entry.qwen)")
            }
            #expect(qwen.decode(entry.qwen) == entry.qwenDecoded, "\(entry.text.debugDescription)")
            let gpt2IDs = gpt2Style.encode(entry.text)
            if gpt2IDs != entry.gpt2style {
                gpt2Mismatches += 1
                Issue.record("gpt2style \(entry.text.debugDescription): \(gpt2IDs) != \(entry.gpt2style)")
            }
        }
        #expect(qwenMismatches == 0)
        #expect(gpt2Mismatches == 0)
    }

    // MARK: Whisper-style tokenizer.json (ByteLevel with the GPT-2 regex, no normalizer)

    @Test func gpt2StyleIdsMatchReference() throws {
        let tokenizer = try TokenizerFixtures.gpt2Style.get()
        let reference = try TokenizerFixtures.reference("gpt2style_reference.json")
        #expect(reference.entries.count >= 30)
        for entry in reference.entries {
            #expect(tokenizer.encode(entry.text) == entry.ids, "\(entry.text.debugDescription)")
            #expect(tokenizer.encode(entry.text, allowSpecial: false) == entry.idsWithoutSpecial,
                    "\(entry.text.debugDescription)")
        }
    }

    @Test func gpt2StyleDecodeMatchesReferenceAndRoundTrips() throws {
        let tokenizer = try TokenizerFixtures.gpt2Style.get()
        let reference = try TokenizerFixtures.reference("gpt2style_reference.json")
        for entry in reference.entries {
            #expect(tokenizer.decode(entry.ids) == entry.decoded)
            #expect(tokenizer.decode(entry.ids, skipSpecial: true) == entry.decodedSkippingSpecial)
            #expect(tokenizer.decode(tokenizer.encode(entry.text)) == entry.text, "\(entry.text.debugDescription)")
        }
        #expect(tokenizer.vocabularySize == reference.vocabularySize)
        for (name, id) in reference.tokens {
            #expect(tokenizer.id(of: name) == id, "\(name)")
        }
    }

    @Test func gpt2AndQwenPatternsSplitDifferently() throws {
        // Qwen2 splits digits one by one and lets punctuation absorb newlines; GPT-2 keeps digit runs
        // and, by `\s+(?!\S)`, leaves the last newline before a word on its own. Expected pieces are
        // those tokenizers 0.22.2's pre_tokenize_str gives (byte-level "Ġ"/"Ċ" shown here as text).
        func pieces(_ text: String, _ pattern: PreTokenizer.Pattern) -> [String] {
            let scalars = Array(text.unicodeScalars)
            var ranges: [Range<Int>] = []
            PreTokenizer(pattern: pattern, addPrefixSpace: false)
                .split(scalars, classes: scalars.map(PreTokenizer.classOf), into: &ranges)
            return ranges.map { String(String.UnicodeScalarView(scalars[$0])) }
        }
        #expect(pieces("in 2024!\n\nOK", .qwen2) == ["in", " ", "2", "0", "2", "4", "!\n\n", "OK"])
        #expect(pieces("in 2024!\n\nOK", .gpt2) == ["in", " 2024", "!", "\n", "\n", "OK"])
        #expect(pieces("I'M  here", .qwen2) == ["I", "'M", " ", " here"])
        #expect(pieces("I'M  here", .gpt2) == ["I", "'", "M", " ", " here"])
    }
}
