import Foundation
import Testing
@testable import ScribaModels

/// Hand-made tokenizer folders: the BPE rules on a 7-token vocabulary (expected ids checked against
/// tokenizers 0.22.2 with the same tokenizer.json) and every load error.
@Suite struct TokenizerErrorTests {
    /// A fresh temporary folder holding `files` (name → contents).
    private func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("scriba-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    private func tokenizerJSON(merges: String = #"[["a","b"],["ab","c"],["Ġ","ab"]]"#,
                               modelType: String = "BPE", preTokenizer: String? = nil) -> String {
        let pre = preTokenizer ?? #"{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}"#
        return """
        {"version":"1.0",
         "added_tokens":[{"id":7,"content":"<|x|>","special":true,"single_word":false,"lstrip":false,"rstrip":false,"normalized":false}],
         "normalizer":null, "pre_tokenizer":\(pre), "post_processor":null,
         "decoder":{"type":"ByteLevel"},
         "model":{"type":"\(modelType)","dropout":null,"unk_token":null,"byte_fallback":false,
                  "vocab":{"a":0,"b":1,"c":2,"Ġ":3,"ab":4,"abc":5,"Ġab":6},
                  "merges":\(merges)}}
        """
    }

    private func loadError(_ files: [String: String]) throws -> TokenizerError? {
        let url = try folder(files)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try BPETokenizer.load(folder: url)
            return nil
        } catch let error as TokenizerError {
            return error
        }
    }

    /// Found by FuzzTokenizerFiles (input in Tests/Fixtures/fuzz/tokenizer-huge-id.bin): a vocab.json id
    /// too large for the 32-bit tables trapped before the id range was checked. Negative ids too.
    @Test(arguments: ["444444444444444414", "-3", "2147483648"])
    func outOfRangeTokenIDsAreMalformedFiles(id: String) throws {
        let vocab = #"{"a":0,"b":1,"ab":"# + id + "}"
        let error = try loadError(["vocab.json": vocab, "merges.txt": "#version: 0.2\na b\n"])
        guard case .malformedJSON(_, let detail)? = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(detail.contains(id) || detail.contains(#""ab""#))  // names the id or its token
    }

    /// The fuzzer's own crashing input, replayed through the same split the fuzz target uses.
    @Test func fuzzerCrashInputLoadsAsAnError() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/tokenizer-huge-id.bin")
        let bytes = Array(try Data(contentsOf: fixture))
        #expect(bytes[0] & 1 == 1)  // odd first byte: vocab.json, merges.txt, config split by "\n=====\n"
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        let pieces = text.components(separatedBy: "\n=====\n")
        var files = ["vocab.json": pieces[0], "merges.txt": pieces.count > 1 ? pieces[1] : ""]
        if pieces.count > 2 { files["tokenizer_config.json"] = pieces[2...].joined(separator: "\n=====\n") }
        let url = try folder(files)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: TokenizerError.self) { _ = try BPETokenizer.load(folder: url) }
    }

    @Test func tinyTokenizerJSONMergesByRank() throws {
        let url = try folder(["tokenizer.json": tokenizerJSON()])
        defer { try? FileManager.default.removeItem(at: url) }
        let tokenizer = try BPETokenizer.load(folder: url)
        // "abc ab": pieces "abc", " ab"; a+b (rank 0) → ab, ab+c (rank 1) → abc; Ġ+ab (rank 2) → Ġab.
        #expect(tokenizer.encode("abc ab") == [5, 6])
        #expect(tokenizer.encode("cab") == [2, 4])
        #expect(tokenizer.encode("aaab") == [0, 0, 4])
        // "z" has no byte token and no unk: dropped, as the reference does.
        #expect(tokenizer.encode("az") == [0])
        #expect(tokenizer.encode("ab<|x|>c") == [4, 7, 2])
        #expect(tokenizer.decode([5, 6, 7, 2]) == "abc ab<|x|>c")
        #expect(tokenizer.decode([5, 6, 7, 2], skipSpecial: true) == "abc abc")
        #expect(tokenizer.vocabularySize == 8)
        #expect(tokenizer.token(of: 6) == "Ġab")
        #expect(tokenizer.id(of: "<|x|>") == 7)
    }

    @Test func stringMergesLoadLikeArrayMerges() throws {
        let url = try folder(["tokenizer.json": tokenizerJSON(merges: #"["a b","ab c","Ġ ab"]"#)])
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try BPETokenizer.load(folder: url).encode("abc ab") == [5, 6])
    }

    @Test func emptyFolderNamesWhatWasLookedFor() throws {
        let error = try loadError([:])
        guard case .filesMissing(_, let lookedFor) = error else {
            Issue.record("expected filesMissing, got \(String(describing: error))")
            return
        }
        #expect(lookedFor == ["tokenizer.json", "vocab.json + merges.txt"])
        #expect(error!.description.contains("no tokenizer found"))
    }

    @Test func vocabWithoutMergesNamesMergesFile() throws {
        let error = try loadError(["vocab.json": #"{"a":0}"#])
        guard case .filesMissing(_, let lookedFor) = error else {
            Issue.record("expected filesMissing, got \(String(describing: error))")
            return
        }
        #expect(lookedFor.contains("merges.txt (vocab.json is there)"))
    }

    @Test func truncatedJSONIsMalformed() throws {
        let error = try loadError(["tokenizer.json": String(tokenizerJSON().prefix(120))])
        guard case .malformedJSON(let url, _) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(url.lastPathComponent == "tokenizer.json")
        #expect(error!.description.contains("download the model again"))
    }

    @Test func mergeOfUnknownTokenNamesLineAndToken() throws {
        let error = try loadError([
            "vocab.json": #"{"a":0,"b":1,"ab":2}"#,
            "merges.txt": "#version: 0.2\na b\nab q\n",
        ])
        #expect(error == .mergeReferencesUnknownToken(error.flatMap(urlOf) ?? URL(fileURLWithPath: "/"), line: 3, token: "q"))
        #expect(error?.description.contains("merges.txt line 3") == true)
    }

    @Test func mergeLineWithThreeTokensIsMalformed() throws {
        let error = try loadError([
            "vocab.json": #"{"a":0,"b":1,"ab":2}"#,
            "merges.txt": "#version: 0.2\na b c\n",
        ])
        guard case .malformedMerges(_, let line, _) = error else {
            Issue.record("expected malformedMerges, got \(String(describing: error))")
            return
        }
        #expect(line == 2)
    }

    @Test func idFarBeyondVocabularyIsRefused() throws {
        let error = try loadError([
            "vocab.json": #"{"a":0,"b":1,"ab":2000000000}"#,
            "merges.txt": "a b\n",
        ])
        guard case .malformedJSON(let url, let detail) = error else {
            Issue.record("expected malformedJSON, got \(String(describing: error))")
            return
        }
        #expect(url.lastPathComponent == "vocab.json")
        #expect(detail.contains("2000000000"))
    }

    @Test func wordPieceModelIsUnsupported() throws {
        let error = try loadError(["tokenizer.json": tokenizerJSON(modelType: "WordPiece")])
        guard case .unsupportedModelType(_, let type) = error else {
            Issue.record("expected unsupportedModelType, got \(String(describing: error))")
            return
        }
        #expect(type == "WordPiece")
    }

    @Test func unknownSplitPatternIsUnsupported() throws {
        let pre = #"{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\w+"},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]}"#
        let error = try loadError(["tokenizer.json": tokenizerJSON(preTokenizer: pre)])
        guard case .unsupportedPreTokenizer(_, let detail) = error else {
            Issue.record("expected unsupportedPreTokenizer, got \(String(describing: error))")
            return
        }
        #expect(detail.contains(#"\w+"#))
    }

    @Test func qwenSplitSequenceIsAccepted() throws {
        let regex = PreTokenizer.Pattern.qwen2Regex
            .replacingOccurrences(of: "\\", with: "\\\\")
        let pre = #"{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":""# + regex
            + #""},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]}"#
        let url = try folder(["tokenizer.json": tokenizerJSON(preTokenizer: pre)])
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try BPETokenizer.load(folder: url).encode("abc ab") == [5, 6])
    }

    @Test func unknownTokenizerClassIsUnsupported() throws {
        let error = try loadError([
            "vocab.json": #"{"a":0,"b":1,"ab":2}"#,
            "merges.txt": "a b\n",
            "tokenizer_config.json": #"{"tokenizer_class":"BertTokenizer"}"#,
        ])
        #expect(error == .unsupportedTokenizerClass(error.flatMap(urlOf) ?? URL(fileURLWithPath: "/"), name: "BertTokenizer"))
    }

    private func urlOf(_ error: TokenizerError) -> URL? {
        switch error {
        case .unsupportedTokenizerClass(let url, _), .mergeReferencesUnknownToken(let url, _, _): return url
        default: return nil
        }
    }
}
