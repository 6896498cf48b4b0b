import Foundation

/// Byte-level BPE tokenizer (Qwen2/Qwen3, Whisper, GPT-2) that reproduces Hugging Face `tokenizers`
/// 0.22 / transformers 4.57 (`Qwen2TokenizerFast`): same ids for `encode(text, add_special_tokens=False)`
/// and same text for `decode`.
///
/// Pipeline, as in `tokenizers`: split the text at added tokens (leftmost-longest) → NFC-normalise each
/// remaining segment if the tokenizer has that normalizer → regex pre-tokenisation (`PreTokenizer`)
/// → bytes → BPE merges (lowest rank first, leftmost on ties) → ids.
///
/// Left out: post-processor templates (Whisper's `<|startoftranscript|>` prefix is the caller's job),
/// the `lstrip`/`rstrip`/`single_word` flags of added tokens (no byte-level model Scriba loads sets
/// them), BPE dropout and byte fallback (rejected at load).
public final class BPETokenizer: Sendable {
    struct AddedToken: Sendable, Equatable {
        var id: Int
        var content: String
        var special: Bool
    }

    /// One merge rule from a merges list; `line` is for error messages.
    struct Merge: Sendable {
        var left: String
        var right: String
        var line: Int
    }

    /// Regular tokens by their stored (byte-level) text.
    private let vocab: [String: Int]
    /// Added tokens by content.
    private let addedIDs: [String: Int]
    /// Added tokens' UTF-8 and flags, and for each first byte the indices of those starting with it,
    /// longest first (so the first hit is the leftmost-longest match).
    private let addedBytes: [[UInt8]]
    private let addedIsSpecial: [Bool]
    private let addedTokenIDs: [Int]
    private let addedByFirstByte: [[Int]]
    /// Initial symbol of each byte, -1 if the vocabulary lacks it (the reference then drops the byte).
    private let byteToID: [Int32]
    /// (left id << 32 | right id) → (rank << 32 | merged id).
    private let merges: [UInt64: UInt64]
    /// Decode table: bytes of id `i` are `decodeBytes[decodeOffsets[i]..<decodeOffsets[i + 1]]`.
    private let decodeBytes: [UInt8]
    private let decodeOffsets: [Int32]
    /// 0: no token with this id, 1: regular, 2: added, 3: added and special.
    private let idKinds: [UInt8]
    private let preTokenizer: PreTokenizer
    private let normalizesNFC: Bool
    /// `ignore_merges`: a word that is itself in the vocabulary is emitted whole (Llama-3 style).
    private let wordIDs: [[UInt8]: Int32]?
    private let cache = WordCache(capacity: 50_000)

    /// Distinct tokens including added ones, as `tokenizers`' `get_vocab_size(with_added_tokens=True)`.
    public let vocabularySize: Int

    init(
        vocab: [String: Int], vocabSource: URL, merges mergeList: [Merge], mergesSource: URL, added: [AddedToken],
        preTokenizer: PreTokenizer, normalizesNFC: Bool, ignoreMerges: Bool
    ) throws {
        // Ids are dense in real files; a negative one, or one far past the token count (which would
        // make the decode table huge or overflow the 32-bit tables), is refused as corrupt before use.
        let minID = min(vocab.values.min() ?? 0, added.map(\.id).min() ?? 0)
        let maxID = max(vocab.values.max() ?? -1, added.map(\.id).max() ?? -1)
        guard minID >= 0, maxID < vocab.count + added.count + Self.maxIDGap else {
            let bad = minID < 0 ? minID : maxID
            throw TokenizerError.malformedJSON(vocabSource, detail: "token id \(bad) is outside 0..<\(vocab.count + added.count) (the file's token count)")
        }
        self.vocab = vocab
        self.preTokenizer = preTokenizer
        self.normalizesNFC = normalizesNFC

        var byteToID = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let text = String(Unicode.Scalar(ByteLevel.byteToScalar[byte])!)
            if let id = vocab[text] { byteToID[byte] = Int32(id) }
        }
        self.byteToID = byteToID

        var merges = [UInt64: UInt64](minimumCapacity: mergeList.count)
        for (rank, merge) in mergeList.enumerated() {
            guard let left = vocab[merge.left] else {
                throw TokenizerError.mergeReferencesUnknownToken(mergesSource, line: merge.line, token: merge.left)
            }
            guard let right = vocab[merge.right] else {
                throw TokenizerError.mergeReferencesUnknownToken(mergesSource, line: merge.line, token: merge.right)
            }
            let joined = merge.left + merge.right
            guard let result = vocab[joined] else {
                throw TokenizerError.mergeReferencesUnknownToken(mergesSource, line: merge.line, token: joined)
            }
            merges[Self.pairKey(Int32(left), Int32(right))] = UInt64(rank) << 32 | UInt64(result)
        }
        self.merges = merges

        // Decode table over every id, regular and added (ids checked at the top).
        var kinds = [UInt8](repeating: 0, count: maxID + 1)
        var perID = [[UInt8]](repeating: [], count: maxID + 1)
        for (token, id) in vocab {
            kinds[id] = 1
            perID[id] = ByteLevel.decode(token)
        }
        var addedIDs: [String: Int] = [:]
        for token in added {
            kinds[token.id] = token.special ? 3 : 2
            perID[token.id] = ByteLevel.decode(token.content)
            addedIDs[token.content] = token.id
        }
        var offsets = [Int32](repeating: 0, count: maxID + 2)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(perID.reduce(0) { $0 + $1.count })
        for id in perID.indices {
            bytes.append(contentsOf: perID[id])
            offsets[id + 1] = Int32(bytes.count)
        }
        self.idKinds = kinds
        self.decodeBytes = bytes
        self.decodeOffsets = offsets
        self.addedIDs = addedIDs

        let sortedAdded = added.filter { !$0.content.isEmpty }.sorted { $0.content.utf8.count > $1.content.utf8.count }
        self.addedBytes = sortedAdded.map { Array($0.content.utf8) }
        self.addedIsSpecial = sortedAdded.map(\.special)
        self.addedTokenIDs = sortedAdded.map(\.id)
        var byFirst = [[Int]](repeating: [], count: 256)
        for (index, token) in addedBytes.enumerated() { byFirst[Int(token[0])].append(index) }
        self.addedByFirstByte = byFirst

        if ignoreMerges {
            var words: [[UInt8]: Int32] = [:]
            for (token, id) in vocab { words[ByteLevel.decode(token)] = Int32(id) }
            self.wordIDs = words
        } else {
            self.wordIDs = nil
        }
        self.vocabularySize = vocab.count + addedIDs.keys.filter { vocab[$0] == nil }.count
    }

    /// How far ids may run past the number of tokens (real files leave small gaps, e.g. unused ids).
    static let maxIDGap = 1_000_000

    @inline(__always)
    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    // MARK: - Lookup

    /// The id of a token: added/special tokens by name (`<|im_end|>`), regular ones by their stored
    /// byte-level text (`"Ġworld"`).
    public func id(of token: String) -> Int? {
        addedIDs[token] ?? vocab[token]
    }

    /// The stored text of an id: an added token's content, or a regular token's byte-level text.
    public func token(of id: Int) -> String? {
        guard id >= 0, id < idKinds.count, idKinds[id] != 0 else { return nil }
        let range = Int(decodeOffsets[id])..<Int(decodeOffsets[id + 1])
        if idKinds[id] >= 2 {
            return String(decoding: decodeBytes[range], as: UTF8.self)
        }
        return ByteLevel.encode(decodeBytes[range])
    }

    /// Whether `id` is an added token marked special (skipped by `decode(_:skipSpecial: true)`).
    public func isSpecial(_ id: Int) -> Bool {
        id >= 0 && id < idKinds.count && idKinds[id] == 3
    }

    // MARK: - Encode

    /// Token ids of `text`. With `allowSpecial` false, special added tokens written in the text are
    /// encoded as ordinary text (the reference's `encode_special_tokens = True`); non-special added
    /// tokens such as `<asr_text>` are still matched.
    public func encode(_ text: String, allowSpecial: Bool = true) -> [Int] {
        let utf8 = Array(text.utf8)
        var ids: [Int] = []
        ids.reserveCapacity(utf8.count / 2 + 1)
        var scratch = Scratch()
        var segmentStart = 0
        var position = 0
        if !addedBytes.isEmpty {
            while position < utf8.count {
                if let (index, length) = matchAdded(utf8, at: position, allowSpecial: allowSpecial) {
                    encodeSegment(utf8[segmentStart..<position], into: &ids, scratch: &scratch)
                    ids.append(addedTokenIDs[index])
                    position += length
                    segmentStart = position
                } else {
                    position += 1
                }
            }
        }
        encodeSegment(utf8[segmentStart..<utf8.count], into: &ids, scratch: &scratch)
        return ids
    }

    private func matchAdded(_ utf8: [UInt8], at position: Int, allowSpecial: Bool) -> (Int, Int)? {
        for index in addedByFirstByte[Int(utf8[position])] {
            if !allowSpecial && addedIsSpecial[index] { continue }
            let token = addedBytes[index]
            guard position + token.count <= utf8.count else { continue }
            var equal = true
            for offset in 1..<token.count where utf8[position + offset] != token[offset] {
                equal = false
                break
            }
            if equal { return (index, token.count) }
        }
        return nil
    }

    private func encodeSegment(_ segment: ArraySlice<UInt8>, into ids: inout [Int], scratch: inout Scratch) {
        guard !segment.isEmpty else { return }
        var text = String(decoding: segment, as: UTF8.self)
        // ASCII is already NFC; skip Foundation's normaliser for it.
        if normalizesNFC && segment.contains(where: { $0 >= 0x80 }) {
            text = text.precomposedStringWithCanonicalMapping
        }
        if preTokenizer.addPrefixSpace && !text.hasPrefix(" ") { text = " " + text }

        scratch.scalars.removeAll(keepingCapacity: true)
        scratch.classes.removeAll(keepingCapacity: true)
        scratch.byteOffsets.removeAll(keepingCapacity: true)
        scratch.bytes.removeAll(keepingCapacity: true)
        for scalar in text.unicodeScalars {
            scratch.scalars.append(scalar)
            scratch.classes.append(PreTokenizer.classOf(scalar))
            scratch.byteOffsets.append(scratch.bytes.count)
            scratch.bytes.append(contentsOf: UTF8.encode(scalar)!)
        }
        scratch.byteOffsets.append(scratch.bytes.count)
        scratch.pieces.removeAll(keepingCapacity: true)
        preTokenizer.split(scratch.scalars, classes: scratch.classes, into: &scratch.pieces)
        let pieces = scratch.pieces
        let bytes = scratch.bytes
        for piece in pieces {
            let word = bytes[scratch.byteOffsets[piece.lowerBound]..<scratch.byteOffsets[piece.upperBound]]
            encodeWord(word, into: &ids, scratch: &scratch)
        }
    }

    private func encodeWord(_ word: ArraySlice<UInt8>, into ids: inout [Int], scratch: inout Scratch) {
        if word.count == 1 {
            let id = byteToID[Int(word.first!)]
            if id >= 0 { ids.append(Int(id)) }
            return
        }
        let key = Array(word)
        if let wordIDs, let id = wordIDs[key] {
            ids.append(Int(id))
            return
        }
        if let cached = cache[key] {
            for id in cached { ids.append(Int(id)) }
            return
        }
        let result = merge(word, scratch: &scratch)
        cache[key] = result
        for id in result { ids.append(Int(id)) }
    }

    /// BPE on one word, as `tokenizers`' `Word::merge_all`: a min-heap of (rank, position) with stale
    /// entries skipped when popped; symbols form a linked list so a merge is O(log n).
    private func merge(_ word: ArraySlice<UInt8>, scratch: inout Scratch) -> [Int32] {
        scratch.symbols.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        scratch.heap.removeAll(keepingCapacity: true)
        for byte in word {
            let id = byteToID[Int(byte)]
            guard id >= 0 else { continue }
            let index = Int32(scratch.symbols.count)
            scratch.symbols.append(id)
            scratch.previous.append(index - 1)
            scratch.next.append(index + 1)
        }
        let count = scratch.symbols.count
        guard count > 0 else { return [] }
        scratch.next[count - 1] = -1
        for index in 0..<(count - 1) {
            if let value = merges[Self.pairKey(scratch.symbols[index], scratch.symbols[index + 1])] {
                scratch.heapPush(value & 0xFFFF_FFFF_0000_0000 | UInt64(index))
            }
        }
        while let top = scratch.heapPop() {
            let rank = top >> 32
            let position = Int(top & 0xFFFF_FFFF)
            let left = scratch.symbols[position]
            guard left >= 0 else { continue }
            let nextPosition = Int(scratch.next[position])
            guard nextPosition >= 0 else { continue }
            guard let value = merges[Self.pairKey(left, scratch.symbols[nextPosition])], value >> 32 == rank else {
                continue
            }
            scratch.symbols[position] = Int32(truncatingIfNeeded: value & 0xFFFF_FFFF)
            scratch.symbols[nextPosition] = -1
            let after = scratch.next[nextPosition]
            scratch.next[position] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(position) }
            let before = scratch.previous[position]
            if before >= 0,
               let value = merges[Self.pairKey(scratch.symbols[Int(before)], scratch.symbols[position])] {
                scratch.heapPush(value & 0xFFFF_FFFF_0000_0000 | UInt64(before))
            }
            if after >= 0, let value = merges[Self.pairKey(scratch.symbols[position], scratch.symbols[Int(after)])] {
                scratch.heapPush(value & 0xFFFF_FFFF_0000_0000 | UInt64(position))
            }
        }
        var result: [Int32] = []
        var index = 0
        while index >= 0 {
            result.append(scratch.symbols[index])
            index = Int(scratch.next[index])
        }
        return result
    }

    // MARK: - Decode

    /// Text of `ids`: byte-level tokens become their bytes, added tokens their content; the bytes are
    /// joined and decoded as UTF-8 with each invalid sequence replaced by U+FFFD, as the reference
    /// (Rust `from_utf8_lossy`) does. Ids with no token are skipped, like the reference.
    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard id >= 0, id < idKinds.count else { continue }
            let kind = idKinds[id]
            if kind == 0 || (skipSpecial && kind == 3) { continue }
            bytes.append(contentsOf: decodeBytes[Int(decodeOffsets[id])..<Int(decodeOffsets[id + 1])])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Reused buffers for one `encode` call, so words do not allocate their own.
private struct Scratch {
    var scalars: [Unicode.Scalar] = []
    var classes: [UInt8] = []
    var byteOffsets: [Int] = []
    var bytes: [UInt8] = []
    var pieces: [Range<Int>] = []
    var symbols: [Int32] = []
    var previous: [Int32] = []
    var next: [Int32] = []
    /// Min-heap of rank << 32 | position: lowest rank first, then leftmost.
    var heap: [UInt64] = []

    mutating func heapPush(_ value: UInt64) {
        heap.append(value)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func heapPop() -> UInt64? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var smallest = left
                if left + 1 < heap.count && heap[left + 1] < heap[left] { smallest = left + 1 }
                guard heap[smallest] < heap[parent] else { break }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
        }
        return top
    }
}

/// Words seen before and their ids; shared by concurrent `encode` calls, hence the lock.
private final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int32]] = [:]
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: [UInt8]) -> [Int32]? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return entries[key]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            // Crude bound on memory: start over when full rather than track recency.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = newValue
        }
    }
}
