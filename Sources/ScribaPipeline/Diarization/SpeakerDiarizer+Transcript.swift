import ScribaAudio
import ScribaTranscript

// Diarization joined to a transcript, for `--diarize` on the commands and `diarize=true` on the
// server: the whole input is diarized once (not per ASR chunk), so a speaker keeps one number across
// the file, and the turns are put on the words (`Transcript.attributed(to:)`).

extension SpeakerDiarizer {
    /// `transcript`, made from `audio` (the whole input), with its speakers.
    public func attributing(_ transcript: Transcript, of audio: AudioBuffer, options: DiarizationOptions = .init()) throws -> Transcript {
        transcript.attributed(to: try diarize(audio, options: options))
    }
}

extension Optional where Wrapped == SpeakerDiarizer {
    /// `transcript` with speakers when there is a diarizer (`--diarize`), unchanged otherwise.
    public func attributing(_ transcript: Transcript, of audio: AudioBuffer, options: DiarizationOptions) throws -> Transcript {
        guard let diarizer = self else { return transcript }
        return try diarizer.attributing(transcript, of: audio, options: options)
    }
}
