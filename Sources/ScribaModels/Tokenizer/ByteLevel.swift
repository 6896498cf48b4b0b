/// GPT-2's byte-level alphabet, as Hugging Face `ByteLevel` uses it: every byte maps to one printable
/// scalar so that BPE vocabularies can be stored as text. Printable Latin-1 bytes map to themselves;
/// the other 68 (controls, space, 0x7F-0xA0, 0xAD) map to U+0100... in byte order, so a space is "Ġ"
/// (U+0120) and a newline "Ċ" (U+010A).
enum ByteLevel {
    /// byte -> scalar value.
    static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// scalar value -> byte, or -1; indexed up to U+0143, the highest scalar the table uses.
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in byteToScalar.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The byte-level text for raw bytes (how a vocabulary stores them).
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byteToScalar[Int(byte)])!) }
        return String(scalars)
    }

    /// The bytes a token string stands for, the way the Hugging Face ByteLevel decoder does it: if every
    /// scalar is in the alphabet, the mapped bytes; otherwise (an added token such as "<|x|> y" with a
    /// real space, or non-Latin text) the token's own UTF-8.
    static func decode(_ token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < scalarToByte.count, scalarToByte[value] >= 0 else { return Array(token.utf8) }
            bytes.append(UInt8(scalarToByte[value]))
        }
        return bytes
    }

    /// The bytes of a vocabulary token if it is pure byte-level text, else nil.
    static func strictDecode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < scalarToByte.count, scalarToByte[value] >= 0 else { return nil }
            bytes.append(UInt8(scalarToByte[value]))
        }
        return bytes
    }
}
