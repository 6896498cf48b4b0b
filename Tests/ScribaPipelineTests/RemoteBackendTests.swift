import Foundation
import Hummingbird
import Synchronization
import Testing
import ScribaAudio
import ScribaModels
import ScribaTensor
@testable import ScribaPipeline

final class RequestCount: Sendable { let value = Mutex(0) }

/// The tiny aligner for the stand-in's request handlers: one forward pass at a time (its scratch is shared).
final class SharedAligner: @unchecked Sendable {
    private let lock = NSLock()
    private let aligner: Qwen3ForcedAligner
    init(_ aligner: Qwen3ForcedAligner) { self.aligner = aligner }
    func slotLogits(mel: Tensor, units: [String]) throws -> (logits: [Float], slots: Int) {
        try aligner.slotLogits(mel: mel, units: units)
    }
}

/// The `openai` backend against a stand-in answering as vLLM's transcription endpoint documents,
/// the `vllm-aligner` backend against a stand-in `/pooling` built on the tiny aligner checkpoint's
/// logits, and API detection.
struct RemoteBackendTests {
    let audio = AudioBuffer(samples: (0..<16_000).map { Float(sin(Double($0) * 0.05)) * 0.3 }, sampleRate: 16_000)

    /// vLLM 0.14's `/v1/models` entry (fields as its OpenAI server lists them).
    static let vllmModels = #"{"object":"list","data":[{"id":"Qwen/Qwen3-ASR-1.7B","object":"model","created":1767000000,"owned_by":"vllm","root":"Qwen/Qwen3-ASR-1.7B","parent":null,"max_model_len":65536,"permission":[]}]}"#

    /// A vLLM-style transcription stand-in: answers `{"text", "usage"}` as vLLM does for
    /// `response_format=json`, 404 when `model` is not the served one (as vLLM does), and keeps the
    /// last form's text fields for the test to read.
    final class VLLMTranscription: Sendable {
        let fields = Mutex<[String: String]>([:])
        let reply: String
        init(reply: String) { self.reply = reply }

        var router: Router<BasicRequestContext> {
            let router = Router()
            router.get("v1/models") { _, _ in Self.json(RemoteBackendTests.vllmModels) }
            router.get("health") { _, _ in Response(status: .ok) }
            router.post("v1/audio/transcriptions") { request, _ in
                let body = try await request.body.collect(upTo: 30 << 20)
                let form = Self.textFields(String(decoding: body.readableBytesView, as: UTF8.self))
                self.fields.withLock { $0 = form }
                guard form["model"] == "Qwen/Qwen3-ASR-1.7B" else {
                    return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"The model does not exist.","type":"NotFoundError","code":404}}"#)))
                }
                let text = try JSONSerialization.data(withJSONObject: ["text": self.reply, "usage": ["type": "duration", "seconds": 1]])
                return Self.json(String(decoding: text, as: UTF8.self))
            }
            return router
        }

        static func json(_ text: String) -> Response {
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }

        /// Text parts of a multipart body by name (the file part's bytes are binary, skipped).
        static func textFields(_ body: String) -> [String: String] {
            var fields: [String: String] = [:]
            for part in body.components(separatedBy: "Content-Disposition: form-data; name=\"").dropFirst() {
                guard let nameEnd = part.firstIndex(of: "\""), !part[nameEnd...].hasPrefix("\"; filename") else { continue }
                let name = String(part[..<nameEnd])
                guard let valueStart = part.range(of: "\r\n\r\n")?.upperBound, let valueEnd = part.range(of: "\r\n--", range: valueStart..<part.endIndex)?.lowerBound else { continue }
                fields[name] = String(part[valueStart..<valueEnd])
            }
            return fields
        }
    }

    @Test func openAIBackendTalksToAVLLMStyleServer() async throws {
        let service = VLLMTranscription(reply: " And Mister John Dashwood had then leisure. ")
        try await withServer(service.router) { url in
            let info = try await RemoteAPIDetector.detect(url, recognizer: true)
            #expect(info == RemoteServiceInfo(api: .openai, model: "Qwen/Qwen3-ASR-1.7B"))
            let recognizer = try OpenAIRecognizer(baseURL: url + "/v1", model: info.model)
            #expect(recognizer.endpoint.path == "/v1/audio/transcriptions")
            let english = Language.known.first { $0.code == "en" }
            let recognition = try await recognizer.transcribe(audio, options: RecognitionOptions(language: english, context: "Dashwood"))
            #expect(recognition.text == "And Mister John Dashwood had then leisure.")
            #expect(recognition.language == "en")
            #expect(recognition.segments.first?.words.isEmpty == true)
            let fields = service.fields.withLock { $0 }
            #expect(fields["model"] == "Qwen/Qwen3-ASR-1.7B")
            #expect(fields["language"] == "en")
            #expect(fields["prompt"] == "Dashwood")
            #expect(fields["response_format"] == "json")
            #expect(fields["temperature"] == "0")

            // A wrong model name is vLLM's 404: the chunk's own error, not retried.
            let wrong = try OpenAIRecognizer(baseURL: url, model: "other")
            await #expect(throws: RemoteEngineError.self) { try await wrong.transcribe(audio, options: .init()) }
        }
    }

    @Test func qwenRawOutputGivesTheLanguage() {
        let split = OpenAIRecognizer.split("language Chinese<asr_text>你好。", forced: nil)
        #expect(split.language == "zh")
        #expect(split.text == "你好。")
        #expect(OpenAIRecognizer.split(" plain text ", forced: nil) == (nil, "plain text"))
    }

    @Test func textOnlyChunksSayTheyHaveChunkTimesOnly() async throws {
        let service = VLLMTranscription(reply: "hello there")
        try await withServer(service.router) { url in
            // Built without detection (tested above): a loaded test machine can outlast the probe.
            let pooled = PooledRecognizer([try OpenAIRecognizer(baseURL: url, model: "Qwen/Qwen3-ASR-1.7B")],
                                          pool: EndpointPool([EndpointReport(url: url, api: "openai", role: "asr")]))
            let pipeline = TranscriptionPipeline(recognizer: pooled, chunker: FixedWindowChunker())
            let options = PipelineOptions(recognition: .init(wordTimestamps: true), align: false, skipSilentChunks: false,
                                          trimWordsToSpeech: false, dropSilentTail: false, recoverSkippedSpeech: false)
            let transcript = try await pipeline.transcribe(audio, options: options)
            #expect(transcript.text == "hello there")
            #expect(transcript.chunks?.first?.note?.contains("chunk-level times only") == true)
            #expect(await pipeline.endpointReports()?.first?.chunks == 1)
        }
    }

    /// A `/pooling` stand-in as vLLM answers with STEP pooling: one logits row per `<timestamp>`
    /// of the prompt, here the tiny aligner checkpoint's classifier outputs for the request's
    /// audio and units.
    static func poolingRouter(_ aligner: SharedAligner, requests: RequestCount) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("v1/models") { _, _ in
            VLLMTranscription.json(#"{"object":"list","data":[{"id":"Qwen/Qwen3-ForcedAligner-0.6B-hf","object":"model","owned_by":"vllm"}]}"#)
        }
        router.post("pooling") { request, _ in
            let body = try await request.body.collect(upTo: 30 << 20)
            let payload = try JSONDecoder().decode(VLLMPoolingAligner.Request.self, from: Data(body.readableBytesView))
            requests.value.withLock { $0 += 1 }
            guard payload.task == "token_classify", payload.chatTemplate == VLLMPoolingAligner.rawContentTemplate,
                  let prompt = payload.messages.first?.content.first(where: { $0.type == "text" })?.text,
                  let uri = payload.messages.first?.content.first(where: { $0.type == "audio_url" })?.audioURL?.url,
                  let wav = Data(base64Encoded: String(uri.dropFirst("data:audio/wav;base64,".count))) else {
                return Response(status: .badRequest)
            }
            let samples = try WAVReader.readMono(wav, source: "upload").samples
            let units = prompt.replacingOccurrences(of: "<|audio_start|><|audio_pad|><|audio_end|>", with: "")
                .components(separatedBy: "<timestamp><timestamp>").dropLast().map { $0 }
            let mel = LogMel(melBins: 128).compute(Qwen3Recognizer.normalizedSamples(AudioBuffer(samples: samples, sampleRate: 16_000), sampleRate: 16_000))
            let (logits, slots) = try aligner.slotLogits(mel: mel, units: units)
            let classes = logits.count / max(1, slots)
            let rows = (0..<slots).map { Array(logits[($0 * classes)..<(($0 + 1) * classes)]) }
            let answer = try JSONSerialization.data(withJSONObject: ["id": "pool-1", "object": "list", "created": 0, "model": "Qwen/Qwen3-ForcedAligner-0.6B-hf",
                                                                     "data": [["index": 0, "object": "pooling", "data": rows]],
                                                                     "usage": ["prompt_tokens": slots, "total_tokens": slots]])
            return VLLMTranscription.json(String(decoding: answer, as: UTF8.self))
        }
        return router
    }

    @Test func vllmAlignerGivesTheLocalAlignersTimes() async throws {
        let folder = Qwen3PipelineFixtures.url("aligner-tiny-bf16")
        let clip = try Qwen3PipelineFixtures.audio("speech_en")
        // What the server hears: the clip after the 16-bit WAV upload.
        let heard = AudioBuffer(samples: try WAVReader.readMono(WAVWriter.encode(clip), source: "wav").samples, sampleRate: 16_000)
        let requests = RequestCount()
        try await withServer(Self.poolingRouter(SharedAligner(try Qwen3ForcedAligner(folder: folder)), requests: requests)) { url in
            let info = try await RemoteAPIDetector.detect(url, recognizer: false)
            #expect(info.api == .vllmAligner)
            let remote = try VLLMPoolingAligner(baseURL: url, model: info.model)
            let local = try Qwen3Aligner(folder: folder)
            let english = try #require(Language.known.first { $0.code == "en" })
            let units = try remote.units(of: "And Mister John Dashwood had then leisure to consider", language: english)
            let remoteWords = try await remote.align(heard, units: units)
            let localWords = try await local.align(heard, units: units)
            #expect(remoteWords.count == units.count)
            #expect(remoteWords == localWords)
            #expect(requests.value.withLock { $0 } == 1)
        }
    }

    @Test func detectionTellsScribaFromOthers() async throws {
        let router = Router()
        router.get("v1/models") { _, _ in VLLMTranscription.json(#"{"object":"list","data":[{"id":"whisper-base","object":"model","created":0,"owned_by":"scriba"}]}"#) }
        try await withServer(router) { url in
            let asr = try await RemoteAPIDetector.detect(url, recognizer: true)
            let align = try await RemoteAPIDetector.detect(url, recognizer: false)
            let forced = try await RemoteAPIDetector.detect(url, recognizer: true, forced: .openai)
            #expect(asr == RemoteServiceInfo(api: .scriba, model: "whisper-base"))
            #expect(align.api == .scriba)
            #expect(forced.api == .openai)
        }
        let health = Router()
        health.get("health") { _, _ in VLLMTranscription.json(#"{"status":"ok"}"#) }
        try await withServer(health) { url in
            let info = try await RemoteAPIDetector.detect(url + "/align", recognizer: false)
            #expect(info.api == .scriba)
        }
    }

    @Test func endpointListsParseAndRejectNonsense() throws {
        let list = try RemoteEndpoint.parseList("""
            # two ASR servers and a vLLM aligner
            http://a:7861
            asr http://b:8000/v1 openai
            align http://c:8001 vllm-aligner   # pooling

            """, file: "e.txt")
        #expect(list == [RemoteEndpoint(url: "http://a:7861", role: .asr), RemoteEndpoint(url: "http://b:8000/v1", role: .asr, api: .openai),
                         RemoteEndpoint(url: "http://c:8001", role: .align, api: .vllmAligner)])
        #expect(throws: RemoteEngineError.self) { try RemoteEndpoint.parseList("http://a:1 whisper", file: "e.txt") }
        #expect(throws: RemoteEngineError.self) { try RemoteEndpoint.parseList("ftp://a", file: "e.txt") }
    }
}
