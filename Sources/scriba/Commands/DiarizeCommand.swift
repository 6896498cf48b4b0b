import ArgumentParser
import Foundation
import ScribaAudio
import ScribaFormats
import ScribaPipeline
import ScribaTensor

struct DiarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diarize",
        abstract: "Print who spoke when (pyannote segmentation-3.0 + CAM++, native; no ASR model needed).",
        discussion: "The models come from scripts/fetch-diarization-models (in $SCRIBA_MODELS_DIR or ~/.cache/scriba/models)."
    )

    @Argument(help: "An audio or video file.")
    var input: String

    @Option(help: "rttm (one SPEAKER line per turn, for scorers) or json (speakers with talk time, then turns).")
    var format: String = "rttm"

    @Option(name: .shortAndLong, help: "Write to this file (replaced whole) instead of standard output.")
    var output: String?

    @OptionGroup var speakers: SpeakerFlags

    @Option(help: "Cosine distance (0-2) above which two voices count as different people; lower finds more speakers.")
    var threshold: Double = DiarizationOptions().clusterThreshold

    @Option(help: "Compute threads (default: the physical cores).")
    var threads: Int?

    func validate() throws {
        guard ["rttm", "json"].contains(format) else { throw ValidationError("Unknown --format '\(format)'; use rttm or json.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if !(0...2).contains(threshold) { throw ValidationError("--threshold is a cosine distance between 0 and 2, e.g. 0.6.") }
        try speakers.check()
    }

    func run() throws {
        if let threads { ComputeThreads.set(threads); BLAS.setThreads(threads) }
        let url = URL(fileURLWithPath: input)
        // The audio first: a wrong path is reported before the models load.
        let audio = try AudioFile.load(url).audio
        let diarizer = try SpeakerDiarizer()
        var options = DiarizationOptions(speakers: speakers.count)
        options.clusterThreshold = threshold
        let turns = try diarizer.diarize(audio, options: options)
        let rendered = format == "json"
            ? DiarizationJSONWriter.render(turns, duration: audio.duration)
            : RTTMWriter.render(turns, fileID: url.deletingPathExtension().lastPathComponent)
        if let output {
            try AtomicFile.write(rendered, to: URL(fileURLWithPath: output))
        } else {
            print(rendered, terminator: "")
        }
    }
}

/// --speakers / --min-speakers / --max-speakers, shared by every command that diarizes.
struct SpeakerFlags: ParsableArguments {
    @Option(help: "The number of speakers, when known.")
    var speakers: Int?

    @Option(help: "At least this many speakers.")
    var minSpeakers: Int?

    @Option(help: "At most this many speakers.")
    var maxSpeakers: Int?

    func check() throws {
        for (name, value) in [("--speakers", speakers), ("--min-speakers", minSpeakers), ("--max-speakers", maxSpeakers)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1.") }
        }
        if speakers != nil && (minSpeakers != nil || maxSpeakers != nil) {
            throw ValidationError("Pass either --speakers N or --min-speakers/--max-speakers, not both.")
        }
        if let minSpeakers, let maxSpeakers, minSpeakers > maxSpeakers {
            throw ValidationError("--min-speakers (\(minSpeakers)) is above --max-speakers (\(maxSpeakers)).")
        }
    }

    var count: SpeakerCount { SpeakerCount(exactly: speakers, minimum: minSpeakers ?? 1, maximum: maxSpeakers ?? .max) }
}
