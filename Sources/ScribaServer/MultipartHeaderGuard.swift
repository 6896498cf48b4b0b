/// Rejects a byte ≥ 0x80 in a part's header *name* before the bytes reach MultipartKit: its
/// parser (4.7.1) looks such a byte up in a 128-entry table and traps, so one malformed upload
/// would take the whole server down (found by the FuzzMultipart target, twice). Header values may
/// hold UTF-8 (file names) and pass. A streaming scan with state kept across chunks that follows
/// MultipartKit's header grammar (a value ends at CR only, a bare LF belongs to the value); the
/// boundary delimiter is looked for in every state, so the scan can never lose track of where a
/// part's headers begin.
struct MultipartHeaderGuard {
    private enum State { case body, boundaryLine, name(empty: Bool), value, afterValue }

    private let delimiter: [UInt8]
    /// KMP failure function of `delimiter`, so a split or self-overlapping match is never missed.
    private let failure: [Int]
    private var matched = 0
    private var state = State.body

    init(boundary: String) {
        delimiter = Array("--\(boundary)".utf8)
        var failure = [Int](repeating: 0, count: delimiter.count)
        var k = 0
        for i in 1..<max(1, delimiter.count) {
            while k > 0, delimiter[i] != delimiter[k] { k = failure[k - 1] }
            if delimiter[i] == delimiter[k] { k += 1 }
            failure[i] = k
        }
        self.failure = failure
    }

    /// Throws `malformedMultipart` at the first non-ASCII byte of a header name.
    mutating func scan(_ bytes: some Sequence<UInt8>) throws {
        for byte in bytes {
            while matched > 0, byte != delimiter[matched] { matched = failure[matched - 1] }
            if byte == delimiter[matched] { matched += 1 }
            if matched == delimiter.count {
                matched = 0
                state = .boundaryLine
                continue
            }
            switch state {
            case .body:
                break
            case .boundaryLine:
                if byte == UInt8(ascii: "\n") { state = .name(empty: true) }
            case .name(let empty):
                switch byte {
                case UInt8(ascii: ":") where !empty: state = .value
                case UInt8(ascii: "\r"): state = .body  // blank line: the body follows (or a syntax error)
                case 0x80...:
                    throw ServerError.malformedMultipart(reason: "a part's header name holds the non-ASCII byte 0x\(String(byte, radix: 16))")
                default: state = .name(empty: false)
                }
            case .value:
                if byte == UInt8(ascii: "\r") { state = .afterValue }
            case .afterValue:
                state = .name(empty: true)  // MultipartKit wants LF here and throws otherwise
            }
        }
    }
}
