import Foundation
import ScribaAudio

// Where live audio comes from: a decoded file played at real time (or as fast as it decodes), or
// raw s16le 16 kHz mono from a pipe (`ffmpeg -f pulse -i default -f s16le -ar 16000 -ac 1 -`).
// Either can be stopped (Ctrl-C): the stream then ends and the session finalises what it heard.

public final class LiveAudioInput: Sendable {
    public let stream: AsyncThrowingStream<[Float], Error>
    private let continuation: AsyncThrowingStream<[Float], Error>.Continuation

    /// Samples per chunk handed on: 100 ms, small against a 1 s step.
    public static let chunkSamples = 1_600
    public static let sampleRate = 16_000

    private init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: [Float].self, bufferingPolicy: .unbounded)
    }

    /// Ends the stream now; what was read so far is still decoded.
    public func stop() { continuation.finish() }

    /// `audio` (16 kHz) in 100 ms chunks, each released when its time has come when `paced`
    /// (as a microphone would deliver it), else all at once.
    public static func file(_ audio: AudioBuffer, paced: Bool) -> LiveAudioInput {
        let input = LiveAudioInput()
        let samples = audio.sampleRate == sampleRate ? audio.samples
            : Resampler.resample(audio.samples, from: audio.sampleRate, to: sampleRate)
        let continuation = input.continuation
        let task = Task.detached {
            let clock = ContinuousClock(), start = clock.now
            var position = 0
            while position < samples.count, !Task.isCancelled {
                let end = min(samples.count, position + chunkSamples)
                if paced {
                    // Released when its last sample has "been spoken".
                    try? await clock.sleep(until: start + .seconds(Double(end) / Double(sampleRate)))
                }
                continuation.yield(Array(samples[position..<end]))
                position = end
            }
            continuation.finish()
        }
        input.continuation.onTermination = { _ in task.cancel() }
        return input
    }

    /// Raw little-endian signed 16-bit mono 16 kHz samples from `handle` until it ends. Read on a
    /// thread of its own: a blocking read must not hold a thread the decoder needs.
    public static func pcm16(_ handle: FileHandle) -> LiveAudioInput {
        let input = LiveAudioInput()
        let continuation = input.continuation
        let thread = Thread {
            var carry: UInt8?
            while true {
                guard let data = try? handle.read(upToCount: chunkSamples * 2), !data.isEmpty else { break }
                var bytes = [UInt8](data)
                if let odd = carry { bytes.insert(odd, at: 0); carry = nil }
                if bytes.count % 2 == 1 { carry = bytes.removeLast() }
                continuation.yield(PCM16.samples(littleEndian: bytes))
            }
            continuation.finish()
        }
        thread.name = "scriba-live-input"
        thread.start()
        return input
    }
}
