import ArgumentParser
import Foundation
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

    @Flag(inversion: .prefixedNo, help: "Decode again, on its own, any stretch of speech (≥ 0.4 s by the voice-activity detector) inside a chunk that no word covers, and put its words in place: Whisper sometimes ends a window early or leaves a sentence out.")
    var recoverSkippedSpeech = true

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

    func apply(to options: inout PipelineOptions) {
        options.recognition.repetitionGuard = repetitionOptions
        options.skipSilentChunks = skipSilence
        options.trimWordsToSpeech = trimToSpeech
        options.dropSilentTail = dropSilentTail
        options.recoverSkippedSpeech = recoverSkippedSpeech
        options.contextEchoMinWords = contextEchoMinWords
    }
}
