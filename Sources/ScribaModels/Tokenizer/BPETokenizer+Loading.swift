import Foundation

/// Reading a tokenizer folder in either layout models ship:
/// - `tokenizer.json` (Hugging Face `tokenizers`): model, normalizer, pre-tokenizer and added tokens in
///   one file;
/// - `vocab.json` + `merges.txt` (+ `tokenizer_config.json` for `added_tokens_decoder` and
///   `tokenizer_class`), as Qwen3-ASR ships them. The normalizer and split pattern then follow the
///   class, as transformers' slow→fast converters do: Qwen2Tokenizer (the default when the class is
///   absent) → NFC + the Qwen2 pattern; GPT2Tokenizer/WhisperTokenizer → no normalizer + GPT-2 pattern.
extension BPETokenizer {
    public static func load(folder: URL) throws -> BPETokenizer {
        let fileManager = FileManager.default
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        if fileManager.fileExists(atPath: tokenizerJSON.path) {
            return try load(tokenizerJSON: tokenizerJSON)
        }
        let vocabURL = folder.appendingPathComponent("vocab.json")
        let mergesURL = folder.appendingPathComponent("merges.txt")
        let hasVocab = fileManager.fileExists(atPath: vocabURL.path)
        let hasMerges = fileManager.fileExists(atPath: mergesURL.path)
        guard hasVocab && hasMerges else {
            var lookedFor = ["tokenizer.json"]
            if hasVocab { lookedFor.append("merges.txt (vocab.json is there)") }
            else if hasMerges { lookedFor.append("vocab.json (merges.txt is there)") }
            else { lookedFor.append("vocab.json + merges.txt") }
            throw TokenizerError.filesMissing(folder: folder, lookedFor: lookedFor)
        }
        return try load(vocab: vocabURL, merges: mergesURL,
                        config: folder.appendingPathComponent("tokenizer_config.json"))
    }

    // MARK: - tokenizer.json

    private static func load(tokenizerJSON url: URL) throws -> BPETokenizer {
        let root = try readJSONObject(url)
        guard let model = root["model"] as? [String: Any] else {
            throw TokenizerError.malformedJSON(url, detail: "no \"model\" object")
        }
        let type = model["type"] as? String ?? "BPE"
        guard type == "BPE" else { throw TokenizerError.unsupportedModelType(url, type: type) }
        if let dropout = model["dropout"], !(dropout is NSNull) {
            throw TokenizerError.unsupportedModelType(url, type: "BPE with dropout")
        }
        if model["byte_fallback"] as? Bool == true {
            throw TokenizerError.unsupportedModelType(url, type: "BPE with byte_fallback")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = model[key] as? String, !affix.isEmpty {
                throw TokenizerError.unsupportedModelType(url, type: "BPE with \(key) '\(affix)'")
            }
        }
        guard let vocabObject = model["vocab"] as? [String: Any] else {
            throw TokenizerError.malformedJSON(url, detail: "no \"model.vocab\" object")
        }
        let vocab = try parseVocab(vocabObject, url: url)
        guard let mergesArray = model["merges"] as? [Any] else {
            throw TokenizerError.malformedJSON(url, detail: "no \"model.merges\" array")
        }
        var merges: [Merge] = []
        merges.reserveCapacity(mergesArray.count)
        for (index, entry) in mergesArray.enumerated() {
            // Files written by tokenizers < 0.20 hold "a b" strings, later ones ["a", "b"] pairs.
            if let text = entry as? String {
                merges.append(try parseMergeLine(Substring(text), line: index + 1, url: url))
            } else if let pair = entry as? [String], pair.count == 2 {
                merges.append(Merge(left: pair[0], right: pair[1], line: index + 1))
            } else {
                throw TokenizerError.malformedMerges(url, line: index + 1, detail: "merge \(index + 1) is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }

        var added: [AddedToken] = []
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let id = (entry["id"] as? NSNumber)?.intValue, id >= 0, let content = entry["content"] as? String else {
                throw TokenizerError.malformedJSON(url, detail: "an added token lacks \"id\" or \"content\"")
            }
            added.append(AddedToken(id: id, content: content, special: entry["special"] as? Bool ?? false))
        }

        let normalizesNFC = try parseNormalizer(root["normalizer"], url: url)
        let preTokenizer = try parsePreTokenizer(root["pre_tokenizer"], url: url)
        return try BPETokenizer(
            vocab: vocab, vocabSource: url, merges: merges, mergesSource: url, added: added, preTokenizer: preTokenizer,
            normalizesNFC: normalizesNFC, ignoreMerges: model["ignore_merges"] as? Bool ?? false)
    }

    /// nil / NFC / a Sequence of those → whether to apply NFC.
    private static func parseNormalizer(_ value: Any?, url: URL) throws -> Bool {
        guard let value, !(value is NSNull) else { return false }
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError.malformedJSON(url, detail: "\"normalizer\" has no \"type\"")
        }
        switch type {
        case "NFC":
            return true
        case "Sequence":
            var nfc = false
            for inner in object["normalizers"] as? [Any] ?? [] { nfc = try parseNormalizer(inner, url: url) || nfc }
            return nfc
        default:
            throw TokenizerError.unsupportedNormalizer(url, detail: type)
        }
    }

    /// ByteLevel alone, or Sequence [Split(known regex, Isolated), ByteLevel(use_regex: false)].
    private static func parsePreTokenizer(_ value: Any?, url: URL) throws -> PreTokenizer {
        guard let object = value as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError.unsupportedPreTokenizer(url, detail: "none; a byte-level tokenizer needs ByteLevel")
        }
        let steps: [[String: Any]]
        if type == "Sequence" {
            steps = object["pretokenizers"] as? [[String: Any]] ?? []
        } else {
            steps = [object]
        }
        var pattern: PreTokenizer.Pattern?
        var sawByteLevel = false
        var addPrefixSpace = false
        for step in steps {
            let stepType = step["type"] as? String ?? "?"
            switch stepType {
            case "Split":
                guard pattern == nil, !sawByteLevel else {
                    throw TokenizerError.unsupportedPreTokenizer(url, detail: "more than one split, or a split after ByteLevel")
                }
                guard let regex = (step["pattern"] as? [String: Any])?["Regex"] as? String else {
                    throw TokenizerError.unsupportedPreTokenizer(url, detail: "a Split without a Regex pattern")
                }
                guard let known = PreTokenizer.Pattern(regex: regex) else {
                    throw TokenizerError.unsupportedPreTokenizer(url, detail: "split pattern \(regex)")
                }
                let behavior = step["behavior"] as? String ?? "?"
                guard behavior == "Isolated", step["invert"] as? Bool != true else {
                    throw TokenizerError.unsupportedPreTokenizer(url, detail: "Split behavior \(behavior)")
                }
                pattern = known
            case "ByteLevel":
                sawByteLevel = true
                addPrefixSpace = step["add_prefix_space"] as? Bool ?? false
                if step["use_regex"] as? Bool ?? true {
                    guard pattern == nil else {
                        throw TokenizerError.unsupportedPreTokenizer(url, detail: "a Split followed by ByteLevel with use_regex")
                    }
                    pattern = .gpt2
                }
            default:
                throw TokenizerError.unsupportedPreTokenizer(url, detail: stepType)
            }
        }
        guard sawByteLevel else {
            throw TokenizerError.unsupportedPreTokenizer(url, detail: "\(type) without ByteLevel; not a byte-level BPE")
        }
        return PreTokenizer(pattern: pattern, addPrefixSpace: addPrefixSpace)
    }

    // MARK: - vocab.json + merges.txt

    private static func load(vocab vocabURL: URL, merges mergesURL: URL, config configURL: URL) throws -> BPETokenizer {
        let vocab = try parseVocab(readJSONObject(vocabURL), url: vocabURL)
        let data = try readFile(mergesURL)
        var merges: [Merge] = []
        merges.reserveCapacity(vocab.count)
        let text = String(decoding: data, as: UTF8.self)
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || (lineNumber == 1 && trimmed.hasPrefix("#version")) { continue }
            merges.append(try parseMergeLine(trimmed, line: lineNumber, url: mergesURL))
        }

        var added: [AddedToken] = []
        var className = "Qwen2Tokenizer"
        if FileManager.default.fileExists(atPath: configURL.path) {
            let config = try readJSONObject(configURL)
            if let name = config["tokenizer_class"] as? String { className = name }
            let decoder = config["added_tokens_decoder"] as? [String: Any] ?? [:]
            for (key, value) in decoder {
                guard let id = Int(key), id >= 0, let entry = value as? [String: Any],
                      let content = entry["content"] as? String else {
                    throw TokenizerError.malformedJSON(configURL, detail: "added_tokens_decoder entry \"\(key)\" needs an integer id and a \"content\"")
                }
                added.append(AddedToken(id: id, content: content, special: entry["special"] as? Bool ?? false))
            }
        }
        let preTokenizer: PreTokenizer
        let nfc: Bool
        switch className {
        case "Qwen2Tokenizer", "Qwen2TokenizerFast":
            preTokenizer = PreTokenizer(pattern: .qwen2, addPrefixSpace: false)
            nfc = true
        case "GPT2Tokenizer", "GPT2TokenizerFast", "WhisperTokenizer", "WhisperTokenizerFast":
            preTokenizer = PreTokenizer(pattern: .gpt2, addPrefixSpace: false)
            nfc = false
        default:
            throw TokenizerError.unsupportedTokenizerClass(configURL, name: className)
        }
        return try BPETokenizer(
            vocab: vocab, vocabSource: vocabURL, merges: merges, mergesSource: mergesURL, added: added, preTokenizer: preTokenizer,
            normalizesNFC: nfc, ignoreMerges: false)
    }

    // MARK: - Helpers

    private static func parseMergeLine(_ line: Substring, line number: Int, url: URL) throws -> Merge {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            throw TokenizerError.malformedMerges(url, line: number, detail: "expected two tokens, found \(parts.count)")
        }
        return Merge(left: String(parts[0]), right: String(parts[1]), line: number)
    }

    private static func parseVocab(_ object: [String: Any], url: URL) throws -> [String: Int] {
        var vocab = [String: Int](minimumCapacity: object.count)
        for (token, value) in object {
            guard let id = (value as? NSNumber)?.intValue, id >= 0 else {
                throw TokenizerError.malformedJSON(url, detail: "vocabulary entry \"\(token)\" has no non-negative integer id")
            }
            vocab[token] = id
        }
        return vocab
    }

    private static func readFile(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadable(url, reason: error.localizedDescription)
        }
    }

    private static func readJSONObject(_ url: URL) throws -> [String: Any] {
        let data = try readFile(url)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TokenizerError.malformedJSON(url, detail: "JSON does not parse")
        }
        guard let object = parsed as? [String: Any] else {
            throw TokenizerError.malformedJSON(url, detail: "the top level is not an object")
        }
        return object
    }
}
