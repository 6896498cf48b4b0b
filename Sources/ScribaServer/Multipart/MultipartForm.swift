import Foundation
import Hummingbird
import MultipartKit

/// One part of a multipart/form-data body.
public struct FormPart: Sendable {
    public var name: String
    /// The client's file name, for display only; see `safeFileName`.
    public var fileName: String?
    public var contentType: String?
    public var data: Data

    /// "upload" plus the client's extension when it is short and alphanumeric: ffmpeg's probing
    /// likes a real extension, and the client's name never reaches a path or a log line.
    public var safeFileName: String {
        let ext = fileName.map { URL(fileURLWithPath: $0).pathExtension } ?? ""
        let clean = ext.count <= 8 && !ext.isEmpty && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return clean ? "upload.\(ext.lowercased())" : "upload"
    }
}

/// A parsed multipart/form-data body, read with a size cap.
public struct MultipartForm: Sendable {
    public var parts: [FormPart]

    public init(parts: [FormPart]) {
        self.parts = parts
    }

    public func part(_ name: String) -> FormPart? {
        parts.first { $0.name == name }
    }

    /// A text field, whitespace-trimmed; nil when absent or blank.
    public func text(_ name: String) -> String? {
        guard let part = part(name) else { return nil }
        let value = String(decoding: part.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// Every value of a repeated field (`timestamp_granularities[]`).
    public func texts(_ name: String) -> [String] {
        parts.filter { $0.name == name }
            .map { String(decoding: $0.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// Reads and parses the body. Rejects a declared Content-Length over `limitBytes` before
    /// reading anything, and stops reading as soon as the received bytes pass it (chunked uploads).
    /// Parts larger than `PartCollector.memoryLimit` are spooled to an unnamed temporary file and
    /// memory-mapped, so an upload never sits whole in the heap.
    /// `spoolDirectory` defaults to the system temporary folder (TMPDIR).
    public static func read(_ request: Request, limitBytes: Int, spoolDirectory: URL? = nil) async throws -> MultipartForm {
        let boundary = try boundary(contentType: request.headers[.contentType])
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limitBytes {
            throw ServerError.uploadTooLarge(limitBytes: limitBytes, declaredBytes: declared)
        }
        let collector = PartCollector(boundary: boundary,
                                      spoolDirectory: spoolDirectory ?? FileManager.default.temporaryDirectory)
        defer { collector.discardSpool() }
        var received = 0
        for try await buffer in request.body {
            received += buffer.readableBytes
            guard received <= limitBytes else { throw ServerError.uploadTooLarge(limitBytes: limitBytes, declaredBytes: nil) }
            try collector.feed(buffer)
        }
        try collector.finish()
        return MultipartForm(parts: collector.parts)
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type.
    static func boundary(contentType: String?) throws -> String {
        guard let contentType else { throw ServerError.notMultipart(contentType: nil) }
        let (value, parameters) = HeaderValue.parse(contentType)
        guard value.lowercased() == "multipart/form-data", let boundary = parameters["boundary"], !boundary.isEmpty else {
            throw ServerError.notMultipart(contentType: contentType)
        }
        return boundary
    }
}

/// Feeds multipart-kit's streaming parser and gathers finished parts. Lives for one request.
/// A part's bytes stay in memory up to `memoryLimit`; past that they go to a temporary file named
/// by a UUID (never by the client's file name), which is mapped and unlinked when the part ends.
final class PartCollector {
    /// Form fields are small; anything bigger is an upload and goes to disk.
    static let memoryLimit = 256 * 1024
    /// More parts than any endpoint reads; a body of thousands of tiny parts is abuse.
    static let maxParts = 64

    private let parser: MultipartParser
    private let spoolDirectory: URL
    private let closing: [UInt8]
    private(set) var parts: [FormPart] = []
    private var headers: [(String, String)] = []
    private var data = Data()
    private var spool: (url: URL, handle: FileHandle)?
    /// The last bytes received: the closing boundary must be among them (room for a short epilogue).
    private var tail: [UInt8] = []
    /// An error raised inside a parser callback (which cannot throw), rethrown by `feed`.
    private var failure: ServerError?
    private var headerGuard: MultipartHeaderGuard

    init(boundary: String, spoolDirectory: URL) {
        parser = MultipartParser(boundary: boundary)
        headerGuard = MultipartHeaderGuard(boundary: boundary)
        self.spoolDirectory = spoolDirectory
        closing = Array("--\(boundary)--".utf8)
        parser.onHeader = { [unowned self] name, value in headers.append((name, value)) }
        parser.onBody = { [unowned self] buffer in append(buffer) }
        parser.onPartComplete = { [unowned self] in finishPart() }
    }

    func feed(_ buffer: ByteBuffer) throws {
        let keep = closing.count + 64
        tail.append(contentsOf: buffer.readableBytesView.suffix(keep))
        if tail.count > keep { tail.removeFirst(tail.count - keep) }
        try headerGuard.scan(buffer.readableBytesView)
        do {
            try parser.execute(buffer)
        } catch {
            throw ServerError.malformedMultipart(reason: "\(error)")
        }
        if let failure { throw failure }
    }

    /// The body ended: it must have ended with the closing boundary, or a part was cut off.
    func finish() throws {
        guard contains(tail, closing) else {
            throw ServerError.malformedMultipart(
                reason: "the body ended before the closing boundary '\(String(decoding: closing, as: UTF8.self))' (truncated upload?)")
        }
    }

    /// Removes a half-written temporary file (the body failed mid-part).
    func discardSpool() {
        guard let spool else { return }
        try? spool.handle.close()
        try? FileManager.default.removeItem(at: spool.url)
        self.spool = nil
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }

    private func append(_ buffer: ByteBuffer) {
        guard failure == nil else { return }
        do {
            if let spool {
                try spool.handle.write(contentsOf: buffer.readableBytesView)
                return
            }
            data.append(contentsOf: buffer.readableBytesView)
            if data.count > Self.memoryLimit {
                let url = spoolDirectory.appendingPathComponent("scriba-upload-\(UUID().uuidString)")
                guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw CocoaError(.fileWriteNoPermission)
                }
                let handle = try FileHandle(forWritingTo: url)
                spool = (url, handle)
                try handle.write(contentsOf: data)
                data = Data()
            }
        } catch {
            failure = .uploadStorageFailed(reason: (error as NSError).localizedDescription)
        }
    }

    private func finishPart() {
        defer {
            headers.removeAll()
            data = Data()
        }
        if let spool {
            self.spool = nil
            do {
                try spool.handle.close()
                // Mapped, then unlinked: the pages stay readable and reclaimable, and nothing is
                // left on disk whatever happens to the request next.
                data = try Data(contentsOf: spool.url, options: .alwaysMapped)
            } catch {
                failure = .uploadStorageFailed(reason: (error as NSError).localizedDescription)
            }
            try? FileManager.default.removeItem(at: spool.url)
        }
        guard failure == nil else { return }
        guard parts.count < Self.maxParts else {
            failure = .malformedMultipart(reason: "more than \(Self.maxParts) parts")
            return
        }
        guard let disposition = headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1 else { return }
        let (_, parameters) = HeaderValue.parse(disposition)
        guard let name = parameters["name"] else { return }
        let contentType = headers.first(where: { $0.0.lowercased() == "content-type" })?.1
        parts.append(FormPart(name: name, fileName: parameters["filename"], contentType: contentType, data: data))
    }
}

/// `value; key=token; key="quoted \"string\""` → ("value", [key: text]); keys lowercased.
enum HeaderValue {
    static func parse(_ header: String) -> (value: String, parameters: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        let value = pieces.removeFirst().trimmingCharacters(in: .whitespaces)
        var parameters: [String: String] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let text = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if parameters[key] == nil { parameters[key] = text }
        }
        return (value, parameters)
    }
}
