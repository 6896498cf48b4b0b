import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ScribaAudio
import ScribaPipeline
import Testing
@testable import ScribaServer

// Fakes and helpers shared by the route tests: fixed engine results, a WAV maker, a multipart
// body builder and JSON accessors.

/// Returns one fixed recognition and records what it was asked.
struct FakeRecognizer: SpeechRecognizer {
    var modelName = "fake-asr"
    var maxChunkDuration = 30.0
    var text = "Hello world. This is Scriba."
    var language = "en"
    var recorder = OptionsRecorder()
    var gate: Gate?
    var failure: (any Error & Sendable)?

    func transcribe(_ audio: AudioBuffer, options: RecognitionOptions) async throws -> Recognition {
        await recorder.record(options, seconds: audio.duration)
        if let gate { await gate.wait() }
        if let failure { throw failure }
        return Recognition(language: options.language?.code ?? language, text: text, segments: [])
    }
}

/// Word i of the text (punctuation stripped) spans 0.1 + 0.15 i ... 0.2 + 0.15 i seconds.
struct FakeAligner: ForcedAligner {
    var modelName = "fake-aligner"
    var maxChunkDuration = 30.0

    func align(_ audio: AudioBuffer, text: String, language: Language) async throws -> [TimedWord] {
        text.split(separator: " ").enumerated().map { index, word in
            let start = 0.1 + 0.15 * Double(index)
            return TimedWord(text: word.filter { $0.isLetter || $0.isNumber }, start: start, end: start + 0.1)
        }
    }
}

struct EngineFailure: Error, CustomStringConvertible, Sendable {
    var description: String { "decoder ran out of memory" }
}

actor OptionsRecorder {
    private(set) var options: [RecognitionOptions] = []
    private(set) var seconds: [Double] = []
    func record(_ value: RecognitionOptions, seconds audioSeconds: Double) {
        options.append(value)
        seconds.append(audioSeconds)
    }
}

/// Holds callers until opened.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func open() {
        isOpen = true
        waiting.forEach { $0.resume() }
        waiting.removeAll()
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "scriba.test")
    logger.logLevel = .warning
    return logger
}()

func fakeEngines(recognizer: FakeRecognizer = FakeRecognizer(), aligner: FakeAligner? = FakeAligner(),
                 maxConcurrent: Int = 2, maxQueued: Int = 4) -> EngineHost {
    // The uploads are tones, in which Silero (the server's default) rightly hears no speech.
    EngineHost(recognizer: recognizer, aligner: aligner,
               limiter: ConcurrencyLimiter(maxConcurrent: maxConcurrent, maxQueued: maxQueued, retryAfterSeconds: 7),
               voiceDetector: .energy)
}

func configuration(maxUploadBytes: Int = 1_000_000) -> ServerConfiguration {
    ServerConfiguration(host: "127.0.0.1", port: 0, maxUploadBytes: maxUploadBytes)
}

/// A 16-bit mono PCM WAV of a 440 Hz tone.
func wavBytes(seconds: Double, sampleRate: Int = 16_000) -> [UInt8] {
    let frames = Int((seconds * Double(sampleRate)).rounded())
    var bytes: [UInt8] = []
    func u32(_ v: Int) { bytes += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
    func u16(_ v: Int) { bytes += withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
    bytes += Array("RIFF".utf8); u32(36 + frames * 2); bytes += Array("WAVE".utf8)
    bytes += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
    bytes += Array("data".utf8); u32(frames * 2)
    for n in 0..<frames {
        let value = Int16(8000 * sin(2 * Double.pi * 440 * Double(n) / Double(sampleRate)))
        bytes += withUnsafeBytes(of: value.littleEndian, Array.init)
    }
    return bytes
}

/// A multipart/form-data body.
struct Multipart {
    static let boundary = "scriba-test-boundary-7MA4YWxkTrZu0gW"
    var parts: [(name: String, fileName: String?, bytes: [UInt8])] = []

    func file(_ name: String, _ fileName: String, _ bytes: [UInt8]) -> Multipart {
        var copy = self
        copy.parts.append((name, fileName, bytes))
        return copy
    }

    func field(_ name: String, _ value: String) -> Multipart {
        var copy = self
        copy.parts.append((name, nil, Array(value.utf8)))
        return copy
    }

    var body: ByteBuffer {
        var bytes: [UInt8] = []
        for part in parts {
            var head = "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { head += "; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream" }
            head += "\r\n\r\n"
            bytes += Array(head.utf8) + part.bytes + Array("\r\n".utf8)
        }
        bytes += Array("--\(Multipart.boundary)--\r\n".utf8)
        return ByteBuffer(bytes: bytes)
    }

    var headers: HTTPFields {
        [.contentType: "multipart/form-data; boundary=\(Multipart.boundary)"]
    }
}

/// One second of tone as the `audio` field.
let oneSecondUpload = Multipart().file("audio", "tone.wav", wavBytes(seconds: 1))

extension TestClientProtocol {
    func post(_ uri: String, _ form: Multipart) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: form.headers, body: form.body) { $0 }
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get) { $0 }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    var errorParam: String? { (json["error"] as? [String: Any])?["param"] as? String }
}

func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

func objects(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }
