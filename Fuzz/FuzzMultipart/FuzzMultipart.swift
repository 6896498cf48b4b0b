// libFuzzer target: the server's multipart/form-data reading, through `MultipartForm.read`, the
// function the /transcribe, /align and /v1/audio/transcriptions routes call.
// Input: the first line is the Content-Type header; byte 0 of the rest sets the chunk size the body
// arrives in (streamed uploads split anywhere); the remaining bytes are the body.

import Foundation
import Hummingbird
import ScribaServer

private let newline = UInt8(ascii: "\n")

/// Runs the async read to completion on this thread's behalf (libFuzzer calls synchronously).
private func readForm(_ request: Request) -> MultipartForm? {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var form: MultipartForm?
    Task {
        form = try? await MultipartForm.read(request, limitBytes: 64 * 1024)
        done.signal()
    }
    done.wait()
    return form
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let lineEnd = bytes.firstIndex(of: newline) ?? bytes.endIndex
    let contentType = String(decoding: bytes[..<lineEnd], as: UTF8.self)
    var body = bytes[min(lineEnd + 1, bytes.endIndex)...]
    let chunkSize = max(1, Int(body.popFirst() ?? 0))

    var buffers: [ByteBuffer] = []
    var offset = body.startIndex
    while offset < body.endIndex {
        let end = min(offset + chunkSize, body.endIndex)
        buffers.append(ByteBuffer(bytes: body[offset..<end]))
        offset = end
    }
    var fields = HTTPFields()
    fields[.contentType] = contentType
    let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/transcribe", headerFields: fields)
    let request = Request(head: head, body: RequestBody(asyncSequence: AsyncStream { continuation in
        for buffer in buffers { continuation.yield(buffer) }
        continuation.finish()
    }))
    guard let form = readForm(request) else { return 0 }
    for part in form.parts {
        _ = part.safeFileName
        precondition(!part.safeFileName.contains("/"), "a client file name reached the upload name")
    }
    _ = form.text("language")
    _ = form.texts("timestamp_granularities[]")
    return 0
}
