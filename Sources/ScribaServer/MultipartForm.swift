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
    public static func read(_ request: Request, limitBytes: Int) async throws -> MultipartForm {
        let boundary = try boundary(contentType: request.headers[.contentType])
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limitBytes {
            throw ServerError.uploadTooLarge(limitBytes: limitBytes, declaredBytes: declared)
        }
        let collector = PartCollector(boundary: boundary)
        var received = 0
        for try await buffer in request.body {
            received += buffer.readableBytes
            guard received <= limitBytes else { throw ServerError.uploadTooLarge(limitBytes: limitBytes, declaredBytes: nil) }
            try collector.feed(buffer)
        }
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
private final class PartCollector {
    private let parser: MultipartParser
    private(set) var parts: [FormPart] = []
    private var headers: [(String, String)] = []
    private var data = Data()

    init(boundary: String) {
        parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in headers.append((name, value)) }
        parser.onBody = { [unowned self] buffer in data.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = { [unowned self] in finishPart() }
    }

    func feed(_ buffer: ByteBuffer) throws {
        do {
            try parser.execute(buffer)
        } catch {
            throw ServerError.malformedMultipart(reason: "\(error)")
        }
    }

    private func finishPart() {
        defer {
            headers.removeAll()
            data = Data()
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
