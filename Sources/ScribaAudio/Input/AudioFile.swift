import Foundation

/// The one entry point the CLI, server and pipeline use: any audio or video file (or upload) →
/// mono Float samples at the requested rate, plus what the source was.
///
/// WAV is recognised by content (RIFF/RF64 + WAVE), not by name, and read natively; everything
/// else goes through ffmpeg. WAV files with a compressed encoding (μ-law, A-law, ADPCM, MP3) are
/// handed to ffmpeg too when it is installed; without it the error says how to convert them.
public enum AudioFile {
    public static func load(_ url: URL, sampleRate: Int = 16_000) throws -> DecodedAudio {
        try load(url, sampleRate: sampleRate, ffmpegSearchPath: nil)
    }

    /// As `load(_:sampleRate:)`, looking for ffmpeg in `ffmpegSearchPath` (PATH syntax) instead of
    /// this process's PATH.
    public static func load(_ url: URL, sampleRate: Int = 16_000, ffmpegSearchPath: String?) throws -> DecodedAudio {
        guard sampleRate > 0, sampleRate <= AudioSourceInfo.maxSampleRate else { throw AudioError.invalidSampleRate(sampleRate) }
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw AudioError.fileNotFound(path: path)
        }
        guard !isFolder.boolValue else { throw AudioError.unreadableFile(path: path, reason: "it is a folder") }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 12) ?? Data()
        } catch {
            throw AudioError.unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        guard !head.isEmpty else { throw AudioError.emptyFile(source: path) }

        if routesToWAVReader(head) {
            let data: Data
            do {
                // Mapped, not copied: a long WAV is decoded straight from the page cache.
                data = try Data(contentsOf: url, options: .alwaysMapped)
            } catch {
                throw AudioError.unreadableFile(path: path, reason: (error as NSError).localizedDescription)
            }
            do {
                return try decodeWAV(data, source: path, sampleRate: sampleRate)
            } catch let error as AudioError {
                guard case .unsupportedWAVEncoding = error,
                      let ffmpeg = try? FFmpegDecoder.locate(searchPath: ffmpegSearchPath) else { throw error }
                return try ffmpeg.decode(url, sampleRate: sampleRate, source: path)
            }
        }
        let ffmpeg = try FFmpegDecoder.locate(searchPath: ffmpegSearchPath)
        return try ffmpeg.decode(url, sampleRate: sampleRate, source: path)
    }

    /// Uploads: WAV is parsed in memory; anything else is written to a temporary file (named with
    /// `fileName`'s extension, which helps ffmpeg's probing) and decoded through ffmpeg.
    public static func load(data: Data, fileName: String?, sampleRate: Int = 16_000) throws -> DecodedAudio {
        try load(data: data, fileName: fileName, sampleRate: sampleRate, ffmpegSearchPath: nil)
    }

    public static func load(data: Data, fileName: String?, sampleRate: Int = 16_000,
                            ffmpegSearchPath: String?) throws -> DecodedAudio {
        guard sampleRate > 0, sampleRate <= AudioSourceInfo.maxSampleRate else { throw AudioError.invalidSampleRate(sampleRate) }
        let source = fileName ?? "upload"
        guard !data.isEmpty else { throw AudioError.emptyFile(source: source) }
        if routesToWAVReader(data.prefix(12)) {
            do {
                return try decodeWAV(data, source: source, sampleRate: sampleRate)
            } catch let error as AudioError {
                guard case .unsupportedWAVEncoding = error else { throw error }
                guard (try? FFmpegDecoder.locate(searchPath: ffmpegSearchPath)) != nil else { throw error }
            }
        }
        let ffmpeg = try FFmpegDecoder.locate(searchPath: ffmpegSearchPath)
        let ext = fileName.map { URL(fileURLWithPath: $0).pathExtension } ?? ""
        let temp = FileManager.default.temporaryDirectory
            .appendingPathComponent("scriba-upload-\(UUID().uuidString)" + (ext.isEmpty ? "" : ".\(ext)"))
        do {
            try data.write(to: temp)
        } catch {
            throw AudioError.writeFailed(path: temp.path, reason: (error as NSError).localizedDescription)
        }
        defer { try? FileManager.default.removeItem(at: temp) }
        return try ffmpeg.decode(temp, sampleRate: sampleRate, source: source)
    }

    /// RIFF/WAVE files, and anything too short to be one that starts like one (so a cut-off WAV
    /// reports a truncated header rather than an ffmpeg failure).
    static func routesToWAVReader(_ head: Data) -> Bool {
        if WAVReader.isWAV(head) { return true }
        guard head.count < 12 else { return false }
        let prefix = Array(head.prefix(4))
        return Array("RIFF".utf8).starts(with: prefix) || Array("RF64".utf8).starts(with: prefix)
    }

    private static func decodeWAV(_ data: Data, source: String, sampleRate: Int) throws -> DecodedAudio {
        let (info, mono) = try WAVReader.readMono(data, source: source)
        let samples = Resampler.resample(mono, from: info.sampleRate, to: sampleRate)
        return DecodedAudio(info: info, audio: AudioBuffer(samples: samples, sampleRate: sampleRate))
    }
}

extension AudioFile {
    /// The file's format and length without decoding its samples: a WAV header (the file is mapped,
    /// not read), ffprobe for anything else. For plans that must be quick over many files.
    public static func probe(_ url: URL) throws -> AudioSourceInfo {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw AudioError.fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw AudioError.unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        if WAVReader.isWAV(data), let info = try? WAVReader.info(data, source: path) { return info }
        return try FFmpegDecoder.locate(searchPath: nil).probe(url, source: path)
    }
}
