import Foundation

/// Everything that can go wrong turning a file or upload into samples. Each case carries the facts
/// (which file, what was found) and its description says what to do about it.
public enum AudioError: Error, Sendable, Equatable {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(source: String)
    case notWAV(source: String)
    case truncatedHeader(source: String, detail: String)
    case missingChunk(source: String, chunk: String)
    case truncatedData(source: String, declaredBytes: Int, availableBytes: Int)
    case invalidFormat(source: String, detail: String)
    case unsupportedWAVEncoding(source: String, formatTag: Int, name: String)
    case emptyAudio(source: String)
    case nonFiniteSamples(source: String, firstFrame: Int)
    case invalidSampleRate(Int)
    case ffmpegNotFound(searchedPath: String)
    case ffmpegFailed(source: String, tool: String, status: Int32, reason: String)
    case noAudioStream(source: String)
    case writeFailed(path: String, reason: String)
}

extension AudioError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "no such file: \(path). Check the path and try again."
        case .unreadableFile(let path, let reason):
            return "\(path): cannot be read (\(reason)). Check its permissions."
        case .emptyFile(let source):
            return "\(source): the file is empty (0 bytes). Pass a file that contains audio."
        case .notWAV(let source):
            return "\(source): not a WAV file (no RIFF/WAVE header). Load it with AudioFile.load, which decodes other formats through ffmpeg."
        case .truncatedHeader(let source, let detail):
            return "\(source): the WAV header is truncated (\(detail)). The file was cut short; export or copy it again."
        case .missingChunk(let source, let chunk):
            return "\(source): the WAV file has no '\(chunk)' chunk, so it holds no usable audio. Export it again, or convert it: ffmpeg -i in.wav -c:a pcm_s16le out.wav"
        case .truncatedData(let source, let declared, let available):
            return "\(source): the WAV data chunk declares \(declared) bytes but only \(available) are present; the file was cut short. Copy or export it again (ffmpeg -i in.wav out.wav keeps what is there)."
        case .invalidFormat(let source, let detail):
            return "\(source): invalid WAV format: \(detail). Convert it to a standard WAV: ffmpeg -i in.wav -c:a pcm_s16le out.wav"
        case .unsupportedWAVEncoding(let source, let tag, let name):
            let hex = "0x" + String(tag, radix: 16, uppercase: true)
            return "\(source): WAV encoding \(name) (format tag \(hex)) is not read natively and ffmpeg was not found to decode it. Install ffmpeg (apt-get install ffmpeg / brew install ffmpeg) or convert it first: ffmpeg -i in.wav -c:a pcm_s16le out.wav"
        case .emptyAudio(let source):
            return "\(source): the file contains no audio samples (0 frames). Pass a recording that is not empty."
        case .nonFiniteSamples(let source, let frame):
            return "\(source): sample frame \(frame) is NaN or infinite; the file is corrupt. Re-export it from the original."
        case .invalidSampleRate(let rate):
            return "Sample rate \(rate) Hz is not usable; pass a rate from 1 to \(AudioSourceInfo.maxSampleRate) Hz, such as 16000."
        case .ffmpegNotFound(let searched):
            return "ffmpeg (with ffprobe) is needed to decode this format but was not found on PATH (\(searched)). Install it: apt-get install ffmpeg (Debian/Ubuntu) or brew install ffmpeg (macOS), or convert the file to WAV elsewhere."
        case .ffmpegFailed(let source, let tool, let status, let reason):
            return "\(source): \(tool) could not decode it (exit status \(status)): \(reason). Check that it is a complete audio or video file."
        case .noAudioStream(let source):
            return "\(source): the file has no audio stream. Pass a file that contains sound."
        case .writeFailed(let path, let reason):
            return "\(path): cannot write the WAV file (\(reason)). Check that the folder exists and is writable."
        }
    }

    public var errorDescription: String? { description }
}
