import Foundation

/// Decodes every non-WAV container (mp3, m4a/aac, flac, ogg/opus, mp4/mkv/mov video, ...) by
/// running the `ffmpeg` executable; `ffprobe` supplies codec, rate and channel count first.
///
/// ffmpeg outputs f32le at the source rate with the source channels; we average the channels while
/// the bytes stream in and resample with our own `Resampler`. Why not `-ac 1 -ar 16000`: ffmpeg's
/// default resampler (32-tap filter, cutoff 0.97 of Nyquist) is weaker than ours, and its downmix
/// matrix differs per layout, so WAV and compressed inputs would reach the model through different
/// front ends. The cost is holding mono at the source rate (3× the 16 kHz size) before resampling.
public struct FFmpegDecoder: Sendable {
    public let ffmpegURL: URL
    public let ffprobeURL: URL

    public init(ffmpegURL: URL, ffprobeURL: URL) {
        self.ffmpegURL = ffmpegURL
        self.ffprobeURL = ffprobeURL
    }

    /// Finds `ffmpeg` and `ffprobe` in the folders of `searchPath` (PATH syntax; default: this
    /// process's PATH). Throws `AudioError.ffmpegNotFound`, whose message says how to install them.
    public static func locate(searchPath: String? = nil) throws -> FFmpegDecoder {
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin"
        guard let ffmpeg = ProcessRunner.find("ffmpeg", searchPath: path),
              let ffprobe = ProcessRunner.find("ffprobe", searchPath: path)
        else { throw AudioError.ffmpegNotFound(searchedPath: path) }
        return FFmpegDecoder(ffmpegURL: ffmpeg, ffprobeURL: ffprobe)
    }

    /// Container and first audio stream as ffprobe reports them. `frameCount` is estimated from the
    /// reported duration; `decode` replaces it by the exact decoded count.
    public func probe(_ url: URL, source: String? = nil) throws -> AudioSourceInfo {
        let source = source ?? url.path
        var json = Data()
        let result = try launch(ffprobeURL, tool: "ffprobe", source: source, arguments: [
            "-v", "error", "-hide_banner", "-print_format", "json",
            "-show_entries", "format=format_name,duration:stream=codec_name,sample_rate,channels,duration",
            "-select_streams", "a:0", Self.input(url),
        ]) { json.append($0) }
        guard result.status == 0 else {
            throw AudioError.ffmpegFailed(source: source, tool: "ffprobe", status: result.status,
                                          reason: Self.reason(result.stderr, url: url))
        }
        guard let report = try? JSONDecoder().decode(ProbeReport.self, from: json) else {
            throw AudioError.ffmpegFailed(source: source, tool: "ffprobe", status: result.status,
                                          reason: "its report could not be read: \(String(decoding: json.prefix(300), as: UTF8.self))")
        }
        guard let stream = report.streams?.first else { throw AudioError.noAudioStream(source: source) }
        let rate = Int(stream.sample_rate ?? "") ?? 0
        let channels = stream.channels ?? 0
        guard rate > 0, rate <= AudioSourceInfo.maxSampleRate, channels > 0 else {
            throw AudioError.ffmpegFailed(source: source, tool: "ffprobe", status: 0,
                                          reason: "the audio stream reports \(rate) Hz and \(channels) channels")
        }
        let seconds = Double(stream.duration ?? "") ?? Double(report.format?.duration ?? "") ?? 0
        return AudioSourceInfo(container: Self.containerName(report.format?.format_name, url: url),
                               codec: stream.codec_name ?? "unknown", sampleRate: rate, channels: channels,
                               frameCount: Int((seconds * Double(rate)).rounded()))
    }

    /// Decodes the first audio stream to mono at `sampleRate`.
    public func decode(_ url: URL, sampleRate: Int = 16_000, source: String? = nil) throws -> DecodedAudio {
        let source = source ?? url.path
        guard sampleRate > 0, sampleRate <= AudioSourceInfo.maxSampleRate else { throw AudioError.invalidSampleRate(sampleRate) }
        var info = try probe(url, source: source)
        let channels = info.channels
        let frameBytes = channels * 4
        var mono: [Float] = []
        var pending = Data() // bytes of a frame split across two reads
        let result = try launch(ffmpegURL, tool: "ffmpeg", source: source, arguments: [
            "-nostdin", "-hide_banner", "-v", "error", "-i", Self.input(url),
            "-map", "0:a:0", "-vn", "-sn", "-dn",
            // Pin the probed layout: if the stream changes mid-way, ffmpeg converts rather than
            // silently changing the meaning of our byte stream.
            "-ac", String(channels), "-ar", String(info.sampleRate),
            "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1",
        ]) { chunk in
            var bytes = chunk
            if !pending.isEmpty { bytes = pending + chunk; pending = Data() }
            let frames = bytes.count / frameBytes
            let used = frames * frameBytes
            if used < bytes.count { pending = bytes.subdata(in: bytes.startIndex + used..<bytes.endIndex) }
            guard frames > 0 else { return }
            let start = mono.count
            mono.append(contentsOf: repeatElement(0, count: frames))
            bytes.withUnsafeBytes { raw in
                // f32le: on a little-endian host (every Swift Linux/macOS target) the bytes are Floats.
                let src = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                mono.withUnsafeMutableBufferPointer { dst in
                    Downmix.mono(src, frames: frames, channels: channels, into: dst.baseAddress! + start)
                }
            }
            if let bad = mono[start...].firstIndex(where: { !$0.isFinite }) {
                throw AudioError.nonFiniteSamples(source: source, firstFrame: bad)
            }
        }
        guard result.status == 0 else {
            throw AudioError.ffmpegFailed(source: source, tool: "ffmpeg", status: result.status,
                                          reason: Self.reason(result.stderr, url: url))
        }
        guard !mono.isEmpty else { throw AudioError.emptyAudio(source: source) }
        info = AudioSourceInfo(container: info.container, codec: info.codec, sampleRate: info.sampleRate,
                               channels: info.channels, frameCount: mono.count)
        let samples = Resampler.resample(mono, from: info.sampleRate, to: sampleRate)
        return DecodedAudio(info: info, audio: AudioBuffer(samples: samples, sampleRate: sampleRate))
    }

    // MARK: - Helpers

    private func launch(_ executable: URL, tool: String, source: String, arguments: [String],
                        onStdout: (Data) throws -> Void) throws -> ProcessRunner.Result {
        do {
            return try ProcessRunner.run(executable, arguments: arguments, onStdout: onStdout)
        } catch let error as AudioError {
            throw error
        } catch {
            throw AudioError.ffmpegFailed(source: source, tool: tool, status: -1,
                                          reason: "running \(executable.path) failed: \((error as NSError).localizedDescription)")
        }
    }

    /// The `file:` protocol prefix keeps names with a colon or a leading dash from being read as a
    /// protocol or an option.
    private static func input(_ url: URL) -> String { "file:" + url.standardizedFileURL.path }

    /// ffmpeg's last error lines, without the repeated input-name prefix.
    static func reason(_ stderr: String, url: URL) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline)
            .map { line -> String in
                var text = line.replacingOccurrences(of: input(url) + ": ", with: "")
                // Drop the "[mp3 @ 0x55d0c0a1b2c0] " context tag: a pointer means nothing to a user.
                if text.hasPrefix("["), let close = text.firstIndex(of: "]"), text[..<close].contains(" @ 0x") {
                    text = String(text[text.index(after: close)...])
                }
                return text.trimmingCharacters(in: .whitespaces)
            }
            .filter { !$0.isEmpty }
        let text = lines.suffix(3).joined(separator: "; ")
        return text.isEmpty ? "no message" : String(text.prefix(500))
    }

    /// ffprobe names demuxers by families ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"): pick the
    /// file's extension when it is in the family, else the first name.
    static func containerName(_ formatName: String?, url: URL) -> String {
        let names = (formatName ?? "unknown").split(separator: ",").map(String.init)
        let ext = url.pathExtension.lowercased()
        if names.contains(ext) { return ext }
        return names.first ?? "unknown"
    }

    // Field names are ffprobe's JSON keys.
    private struct ProbeReport: Decodable {
        struct Stream: Decodable {
            var codec_name: String?
            var sample_rate: String?
            var channels: Int?
            var duration: String?
        }
        struct Format: Decodable {
            var format_name: String?
            var duration: String?
        }
        var streams: [Stream]?
        var format: Format?
    }
}
