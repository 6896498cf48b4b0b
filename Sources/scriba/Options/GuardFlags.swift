import ArgumentParser
import Foundation
import ScribaAudio
import ScribaModels
import ScribaPipeline

/// Flags of the output guards (repetition guard, silence skip, context-echo guard) and of how
/// partial output is treated. Defaults are the library's (`RepetitionGuardOptions`, `PipelineOptions`).
struct GuardFlags: ParsableArguments {
    @Flag(name: .customLong("allow-partial"),
          help: "Exit 0 even when some chunk is truncated, looped or failed (the warnings are still printed). Without it such runs exit \(ScribaExit.partialOutput).")
    var allowPartial = false

    @Flag(inversion: .prefixedNo, help: "Stop greedy decoding when it loops and re-decode that chunk with a no-repeat-n-gram constraint.")
    var repetitionGuard = true

    @Option(help: "Repetition guard: n-gram length in tokens.")
    var repetitionNgram = RepetitionGuardOptions().ngramSize

    @Option(help: "Repetition guard: window in tokens the n-gram is counted over.")
    var repetitionWindow = RepetitionGuardOptions().window

    @Option(help: "Repetition guard: occurrences of one n-gram in the window that mean a loop.")
    var repetitionMaxRepeats = RepetitionGuardOptions().maxRepeats

    @Option(help: "Repetition guard: text whose zlib compression ratio exceeds this is a loop (Whisper's rule).")
    var compressionRatioThreshold = RepetitionGuardOptions().compressionRatioThreshold

    @Flag(inversion: .prefixedNo, help: "Do not send chunks the voice-activity detector finds silent to the model (they are marked empty).")
    var skipSilence = true

    @Flag(inversion: .prefixedNo, help: "Move word starts (ends) that lie in a pause to where the voice-activity detector hears the word begin (end); Whisper starts the first word after a silence too early.")
    var trimToSpeech = true

    @Flag(inversion: .prefixedNo, help: "Drop a chunk's last words when the voice-activity detector hears no speech under them and they run to the chunk's end: text Whisper decoded past the speech (a repeated or guessed sentence).")
    var dropSilentTail = true

    @Flag(inversion: .prefixedNo, help: "Drop words decoded a second time inside a chunk that the word timing piled onto one spot (≥ 3 zero-length words repeating the chunk's earlier words): Whisper repeating the sentence it just heard.")
    var dropPiledRepeats = true

    @Flag(inversion: .prefixedNo, help: "Decode again, on its own, any stretch of speech (≥ 0.4 s by the voice-activity detector) inside a chunk that no word covers, and put its words in place: Whisper sometimes ends a window early or leaves a sentence out.")
    var recoverSkippedSpeech = true

    @OptionGroup var voice: VoiceDetectorFlags

    @Option(help: "Context-echo guard: contexts of at least this many words (characters in Chinese/Japanese/Thai) found verbatim in a chunk's text make it be re-decoded without the context; 0 turns the guard off.")
    var contextEchoMinWords = PipelineOptions.defaultContextEchoMinWords

    var repetitionOptions: RepetitionGuardOptions {
        var options = RepetitionGuardOptions(enabled: repetitionGuard, ngramSize: repetitionNgram, window: repetitionWindow,
                                             maxRepeats: repetitionMaxRepeats, compressionRatioThreshold: compressionRatioThreshold)
        if !repetitionGuard { options.enabled = false }
        return options
    }

    func validate() throws {
        if let problem = repetitionOptions.problem { throw ValidationError("Repetition guard: \(problem).") }
        if contextEchoMinWords < 0 { throw ValidationError("--context-echo-min-words must be 0 or more (got \(contextEchoMinWords)).") }
    }

    var settingsKey: String { voice.settingsKey }

    func apply(to options: inout PipelineOptions) {
        options.recognition.repetitionGuard = repetitionOptions
        options.skipSilentChunks = skipSilence
        options.trimWordsToSpeech = trimToSpeech
        options.dropSilentTail = dropSilentTail
        options.dropPiledRepeats = dropPiledRepeats
        options.recoverSkippedSpeech = recoverSkippedSpeech
        options.contextEchoMinWords = contextEchoMinWords
        voice.apply(to: &options)
    }
}

/// `--vad` and Silero's thresholds: the pipeline's guards and `scriba serve` choose the detector alike.
struct VoiceDetectorFlags: ParsableArguments {
    @Option(help: "Voice detector for chunking and the guards: silero (the bundled Silero VAD gating the energy detector: music, noise and applause are not speech) or energy (signal energy with hysteresis alone).")
    var vad: VoiceDetectorKind = .silero

    @OptionGroup var silero: SileroFlags

    /// The voice detector's part of the batch manifest's settings: another detector redoes files.
    var settingsKey: String {
        let s = silero
        return vad == .silero ? "vad=silero/\(s.vadThreshold)/\(s.minSilenceMs)/\(s.speechPadMs)/\(s.minSpeechMs)" : "vad=energy"
    }

    func apply(to options: inout PipelineOptions) {
        options.voiceDetector = vad
        options.sileroOptions = silero.segmentOptions
    }
}

/// Silero VAD's thresholds (`scriba vad` and the pipeline's `--vad silero`).
struct SileroFlags: ParsableArguments {
    @Option(help: "Silero: speech probability at or above which a 32 ms frame is speech.")
    var vadThreshold: Float = SpeechSegmentOptions().threshold

    @Option(help: "Silero: silence (ms) that ends a stretch of speech.")
    var minSilenceMs: Double = SpeechSegmentOptions().minSilenceMilliseconds

    @Option(help: "Silero: padding (ms) kept on each side of a stretch of speech.")
    var speechPadMs: Double = SpeechSegmentOptions().speechPadMilliseconds

    @Option(help: "Silero: shortest stretch of speech (ms) kept.")
    var minSpeechMs: Double = SpeechSegmentOptions().minSpeechMilliseconds

    func validate() throws {
        if !(vadThreshold > 0 && vadThreshold < 1) {
            throw ValidationError("--vad-threshold \(vadThreshold) is outside 0...1 (exclusive); 0.5 is silero's default.")
        }
        for (name, value) in [("--min-silence-ms", minSilenceMs), ("--speech-pad-ms", speechPadMs), ("--min-speech-ms", minSpeechMs)]
        where !(value >= 0 && value <= 60_000) {
            throw ValidationError("\(name) \(value) is outside 0...60000 ms.")
        }
    }

    var segmentOptions: SpeechSegmentOptions {
        SpeechSegmentOptions(threshold: vadThreshold, minSpeechMilliseconds: minSpeechMs, minSilenceMilliseconds: minSilenceMs,
                             speechPadMilliseconds: speechPadMs)
    }
}

extension VoiceDetectorKind: ExpressibleByArgument {}
