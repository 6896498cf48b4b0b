import ScribaAudio
import ScribaPipeline

// The work every audio endpoint shares: wait for a slot, decode the upload, run the pipeline.
// Decoding happens inside the slot too — ffmpeg on a long file is real CPU time.
extension EngineHost {
    nonisolated func transcribe(_ upload: FormPart, options: PipelineOptions) async throws -> Transcript {
        let pipeline = try await readyPipeline()
        return try await limiter.withPermit {
            let audio = try AudioFile.load(data: upload.data, fileName: upload.safeFileName).audio
            return try await pipeline.transcribe(audio, options: options)
        }
    }

    nonisolated func align(_ upload: FormPart, text: String, language: Language) async throws -> Transcript {
        let pipeline = try await readyPipeline()
        guard pipeline.aligner != nil else { throw PipelineError.noAligner }
        return try await limiter.withPermit {
            let audio = try AudioFile.load(data: upload.data, fileName: upload.safeFileName).audio
            return try await pipeline.align(audio, text: text, language: language)
        }
    }
}
