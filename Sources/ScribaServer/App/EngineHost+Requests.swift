import ScribaAudio
import ScribaPipeline

// The work every audio endpoint shares: wait for a slot, decode the upload, run the pipeline.
// Decoding happens inside the slot too — ffmpeg on a long file is real CPU time.
extension EngineHost {
    /// `settled`: see `TranscriptionPipeline.transcribe(_:options:settled:)` (streamed answers).
    /// `diarization`: label speakers (the whole upload diarized once after transcribing it).
    nonisolated func transcribe(_ upload: FormPart, options requested: PipelineOptions, diarization: DiarizationOptions? = nil,
                                settled: (@Sendable ([TranscriptSegment]) async throws -> Void)? = nil) async throws -> Transcript {
        let pipeline = try await readyPipeline()
        // Missing diarization models are refused before any transcription work.
        let diarizer = diarization == nil ? nil : try await readyDiarizer()
        let options = listening(requested)
        return try await limiter.withPermit {
            try await withTaskExecutorPreference(executor) {
                let audio = try AudioFile.load(data: upload.data, fileName: upload.safeFileName).audio
                let transcript = try await pipeline.transcribe(audio, options: options, settled: settled)
                return try diarizer.attributing(transcript, of: audio, options: diarization ?? .init())
            }
        }
    }

    /// With a forced aligner, it times the text. Without one, the recogniser's own word times are
    /// carried over to the text (`TranscriptionPipeline.align`, `WordTimeTransfer`); a recogniser
    /// that gives no word times leaves `PipelineError.noAligner` (501).
    nonisolated func align(_ upload: FormPart, text: String, language: Language) async throws -> Transcript {
        let pipeline = try await readyPipeline()
        return try await limiter.withPermit {
            try await withTaskExecutorPreference(executor) {
                try await alignOnEngineThread(pipeline, upload, text: text, language: language)
            }
        }
    }

    private nonisolated func alignOnEngineThread(_ pipeline: TranscriptionPipeline, _ upload: FormPart, text: String,
                                                 language: Language) async throws -> Transcript {
        let audio = try AudioFile.load(data: upload.data, fileName: upload.safeFileName).audio
        return try await pipeline.align(audio, text: text, language: language, options: listening(PipelineOptions()))
    }

    /// `requested` with the server's voice detector (`scriba serve --vad`) and Silero's thresholds.
    nonisolated func listening(_ requested: PipelineOptions) -> PipelineOptions {
        var options = requested
        options.voiceDetector = voiceDetector
        options.sileroOptions = sileroOptions
        return options
    }
}
