import ScribaPipeline

/// The web page's two languages. The original pipeline's page is Chinese and most of its users read
/// Chinese; the browser's `Accept-Language` picks, `?lang=zh|en` (the page's switch) overrides.
enum PageLanguage: String, Sendable, CaseIterable {
    case en, zh

    /// `?lang=` when it names one of the two, else the first of `Accept-Language`'s languages (by
    /// q-value, then order) that is Chinese or English; English otherwise.
    static func preferred(query: String?, acceptLanguage: String?) -> PageLanguage {
        if let query, let chosen = PageLanguage(rawValue: query.lowercased()) { return chosen }
        let ranked = (acceptLanguage ?? "").split(separator: ",").enumerated().compactMap { index, item -> (Double, Int, String)? in
            let parts = item.split(separator: ";").map { String($0).trimmingWhitespace() }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { return nil }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (q, index, tag)
        }.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        for (q, _, tag) in ranked where q > 0 {
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            if let language = PageLanguage(rawValue: primary) { return language }
        }
        return .en
    }

    /// Every `{{key}}` of `WebPage.template`.
    var labels: [String: String] {
        Dictionary(uniqueKeysWithValues: Self.table.map { ($0.key, self == .zh ? $0.zh : $0.en) })
    }

    /// key, English, Chinese: one row per slot, so the two pages cannot drift apart.
    static let table: [(key: String, en: String, zh: String)] = [
        ("lang", "en", "zh"),
        ("title", "Scriba — speech to text", "Scriba — 语音转文字"),
        ("intro", "Offline speech to timestamped text. Audio stays on this server.", "离线把语音转成带时间戳的文字，音频只留在这台服务器上。"),
        ("drop", "Drop an audio or video file here, or click to choose one.", "把音频或视频文件拖到这里，或点击选择文件。"),
        ("language", "Language", "语言"),
        ("context", "Context", "上下文"),
        ("contextHint", "names, terms (optional)", "人名、术语（可选）"),
        ("apiKey", "API key", "API 密钥"),
        ("apiKeyHint", "only if the server needs one", "仅当服务器需要时填写"),
        ("transcribe", "Transcribe", "开始识别"),
        ("detected", "Detected language", "识别语言"),
        ("duration", "duration", "时长"),
        ("seconds", "s", "秒"),
        ("period", ".", "。"),
        ("timeline", "Timeline", "时间轴"),
        ("download", "Download", "下载"),
        ("unknown", "unknown", "未知"),
        ("transcribing", "Transcribing", "正在识别"),
        ("doneIn", "Done in", "完成，用时"),
        ("failed", "Failed:", "失败："),
        ("live", "Live", "实时"),
        ("liveIntro", "Captions from the microphone as you speak; grey words may still change.", "边说边出字幕（来自麦克风）；灰色文字可能还会变。"),
        ("start", "Start", "开始"),
        ("stop", "Stop", "停止"),
        ("listening", "Listening…", "正在聆听…"),
        ("finishing", "Finishing…", "正在收尾…"),
    ]

    /// Chinese names of the languages the page offers (in menu order); the English names are `Language.known`'s.
    static let chineseNames: [(code: String, name: String)] = [
        ("zh", "中文"), ("en", "英语"), ("ja", "日语"), ("ko", "韩语"), ("yue", "粤语"), ("de", "德语"), ("fr", "法语"),
        ("es", "西班牙语"), ("pt", "葡萄牙语"), ("it", "意大利语"), ("ru", "俄语"), ("ar", "阿拉伯语"), ("th", "泰语"),
        ("vi", "越南语"), ("id", "印尼语"), ("tr", "土耳其语"), ("hi", "印地语"),
    ]

    /// The language menu: auto-detect, then the languages the page offers, named in this language.
    var languageOptions: String {
        let names = Self.chineseNames.map { entry in
            (entry.code, Language.known.first { $0.code == entry.code }?.name ?? entry.code, entry.name)
        }
        let auto = self == .zh ? "自动检测" : "auto-detect"
        return (["      <option value=\"auto\">\(auto)</option>"] + names.map { code, english, chinese in
            "      <option value=\"\(code)\">\(self == .zh ? chinese : english) (\(code))</option>"
        }).joined(separator: "\n")
    }
}
