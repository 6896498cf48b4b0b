/// Rejects a byte ≥ 0x80 that MultipartKit could read as part of a header *name*: its parser
/// (4.7.1) looks such a byte up in a 128-entry table and traps, so one malformed upload would take
/// the whole server down (found by the FuzzMultipart target, three inputs). Rather than mirror
/// MultipartKit's state machine, the scan is conservative: everywhere except a part's body, a
/// non-ASCII byte before the first ':' of a line is refused. A body starts only at a blank line
/// (CR LF CR LF) after the first delimiter — MultipartKit cannot enter one any other way — and ends
/// at the next CR LF "--boundary" (found with KMP, so never later than MultipartKit finds it).
/// Header values (UTF-8 file names) and bodies pass untouched. State is kept across chunks.
struct MultipartHeaderGuard {
    /// "--boundary": in the preamble MultipartKit accepts the first delimiter without CR LF.
    private let first: [UInt8]
    /// "\r\n--boundary": what ends a body.
    private let delimiter: [UInt8]
    private let firstFailure: [Int]
    private let delimiterFailure: [Int]
    private var matched = 0
    private var seenDelimiter = false
    private var inBody = false
    private var beforeColon = true
    /// The last four bytes, for the blank line that starts a body.
    private var recent: UInt32 = 0

    init(boundary: String) {
        first = Array("--\(boundary)".utf8)
        delimiter = Array("\r\n--\(boundary)".utf8)
        firstFailure = Self.failureFunction(first)
        delimiterFailure = Self.failureFunction(delimiter)
    }

    /// Throws `malformedMultipart` at the first non-ASCII byte that could be a header name's.
    mutating func scan(_ bytes: some Sequence<UInt8>) throws {
        for byte in bytes {
            recent = recent << 8 | UInt32(byte)
            let pattern = inBody || seenDelimiter ? delimiter : first
            let failure = inBody || seenDelimiter ? delimiterFailure : firstFailure
            while matched > 0, byte != pattern[matched] { matched = failure[matched - 1] }
            if byte == pattern[matched] { matched += 1 }
            if matched == pattern.count {
                matched = 0
                seenDelimiter = true
                inBody = false
                beforeColon = true
                continue
            }
            if inBody { continue }
            if seenDelimiter, recent == 0x0D0A_0D0A {
                inBody = true
                matched = 0
                continue
            }
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): beforeColon = true
            case UInt8(ascii: ":"): beforeColon = false
            case 0x80... where beforeColon:
                throw ServerError.malformedMultipart(reason: "a part's header name holds the non-ASCII byte 0x\(String(byte, radix: 16))")
            default: break
            }
        }
    }

    /// KMP failure function: a split or self-overlapping match is never missed.
    private static func failureFunction(_ pattern: [UInt8]) -> [Int] {
        var failure = [Int](repeating: 0, count: pattern.count)
        var k = 0
        for i in pattern.indices.dropFirst() {
            while k > 0, pattern[i] != pattern[k] { k = failure[k - 1] }
            if pattern[i] == pattern[k] { k += 1 }
            failure[i] = k
        }
        return failure
    }
}
