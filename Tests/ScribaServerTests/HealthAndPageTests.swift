import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import ScribaServer

@Suite struct HealthAndPageTests {
    typealias Builder = @Sendable (ServerConfiguration, EngineHost) -> ScribaApplication
    static let builders: [(String, Builder)] = [
        ("asr", { buildASRApplication(configuration: $0, engines: $1, logger: testLogger) }),
        ("align", { buildAlignApplication(configuration: $0, engines: $1, logger: testLogger) }),
        ("ui", { buildUIApplication(configuration: $0, engines: $1, logger: testLogger) }),
    ]

    @Test(arguments: [0, 1, 2])
    func healthAndReadyAnswerOnEveryPort(index: Int) async throws {
        let app = Self.builders[index].1(configuration(), fakeEngines())
        try await app.test(.router) { client in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await client.get("/ready")
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
            #expect((ready.json["models"] as? [String]) == ["fake-asr", "fake-aligner"])
            #expect(number(ready.json["running"]) == 0)
        }
    }

    @Test func readyIs503UntilModelsAreInstalled() async throws {
        let engines = EngineHost(limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 0))
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            #expect(try await client.get("/health").status == .ok)
            let loading = try await client.get("/ready")
            #expect(loading.status == .serviceUnavailable)
            #expect(loading.errorCode == "models_loading")
            await engines.install(recognizer: FakeRecognizer(), aligner: nil)
            let ready = try await client.get("/ready")
            #expect(ready.status == .ok)
            #expect((ready.json["models"] as? [String]) == ["fake-asr"])
        }
    }

    @Test func readyReportsAFailedLoad() async throws {
        let engines = EngineHost(limiter: ConcurrencyLimiter(maxConcurrent: 1, maxQueued: 0))
        await engines.markFailed("model.safetensors is missing")
        let app = buildASRApplication(configuration: configuration(), engines: engines, logger: testLogger)
        try await app.test(.router) { client in
            let response = try await client.get("/ready")
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "models_failed")
            #expect(response.errorMessage?.contains("model.safetensors is missing") == true)
            #expect(response.headers[.retryAfter] == nil)
        }
    }

    @Test func pageIsSelfContainedHTMLThatEscapesTranscripts() async throws {
        let app = buildUIApplication(configuration: configuration(), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            let response = try await client.get("/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let html = response.text
            #expect(html.contains("<select id=\"language\">"))
            #expect(html.contains("fetch(\"api/transcribe\""))
            // No CDN, no innerHTML: text only ever goes in through textContent.
            #expect(!html.contains("http://") && !html.contains("https://"))
            #expect(!html.contains("innerHTML"))
            #expect(html.contains("textContent = sentence.text"))
        }
    }

    @Test func pageSpeaksChineseOrEnglishByAcceptLanguageWithASwitch() async throws {
        let app = buildUIApplication(configuration: configuration(), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            func page(_ path: String, _ acceptLanguage: String?) async throws -> (language: String?, html: String) {
                var headers: HTTPFields = [:]
                if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
                let response = try await client.execute(uri: path, method: .get, headers: headers)
                #expect(response.headers[.vary] == "Accept-Language")
                return (response.headers[.contentLanguage], String(buffer: response.body))
            }
            let chinese = try await page("/", "zh-CN,zh;q=0.9,en;q=0.8")
            #expect(chinese.language == "zh" && chinese.html.contains(#"<html lang="zh">"#))
            #expect(chinese.html.contains("识别语言") && chinese.html.contains(">开始识别<") && chinese.html.contains(">中文 (zh)<"))
            #expect(!chinese.html.contains("Detected language") && !chinese.html.contains("{{"))
            let english = try await page("/", "en-US,en;q=0.9")
            #expect(english.language == "en" && english.html.contains("Detected language") && !english.html.contains("识别语言"))
            #expect(!english.html.contains("{{"))
            // The switch overrides the browser; q-values rank; a language the page lacks is skipped.
            #expect(try await page("/?lang=en", "zh-CN").language == "en")
            #expect(try await page("/?lang=zh", nil).language == "zh")
            #expect(try await page("/", "en;q=0.3, zh-TW;q=0.8").language == "zh")
            #expect(try await page("/", "fr-FR, zh;q=0.5").language == "zh")
            #expect(try await page("/", "fr-FR").language == "en")
            #expect(chinese.html.contains(#"<a href="?lang=en" lang="en">English</a>"#))
        }
    }

    @Test func pageAPIReturnsTimelineAndSubtitles() async throws {
        let app = buildUIApplication(configuration: configuration(), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            let response = try await client.post("/api/transcribe", oneSecondUpload.field("language", "auto"))
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["language"] as? String == "English")
            #expect(objects(json["sentences"]).count == 2)
            #expect((json["srt"] as? String)?.hasPrefix("1\n00:00:00,000 --> 00:00:01,000\n") == true)
            #expect((json["vtt"] as? String)?.hasPrefix("WEBVTT") == true)
        }
    }

    @Test func uiPortDoesNotServeTheASRAPI() async throws {
        let app = buildUIApplication(configuration: configuration(), engines: fakeEngines(), logger: testLogger)
        try await app.test(.router) { client in
            let transcribe = try await client.post("/transcribe", oneSecondUpload)
            let align = try await client.post("/align", oneSecondUpload)
            #expect(transcribe.status == .notFound)
            #expect(align.status == .notFound)
        }
    }
}
