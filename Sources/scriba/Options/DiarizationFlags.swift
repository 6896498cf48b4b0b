import ArgumentParser
import ScribaPipeline

/// `--diarize` and the speaker-count flags, for every command that transcribes.
struct DiarizationFlags: ParsableArguments {
    @Flag(help: "Label who speaks (SPEAKER_1, SPEAKER_2, … by first appearance) in every output: the whole file is diarized once (pyannote segmentation-3.0 + CAM++; install them with scripts/fetch-diarization-models), each word gets the speaker whose turn covers it most, and cues and segments are cut where the speaker changes.")
    var diarize = false

    @OptionGroup var speakers: SpeakerFlags

    func validate() throws {
        try speakers.check()
        if !diarize, speakers.speakers != nil || speakers.minSpeakers != nil || speakers.maxSpeakers != nil {
            throw ValidationError("--speakers, --min-speakers and --max-speakers need --diarize.")
        }
    }

    var options: DiarizationOptions { DiarizationOptions(speakers: speakers.count) }

    /// The diarizer when --diarize is on, loaded now so missing models stop the command before any
    /// file is transcribed; nil otherwise.
    func makeDiarizer() throws -> SpeakerDiarizer? {
        diarize ? try SpeakerDiarizer() : nil
    }

    /// Appended to the batch settings only when diarizing, so a resume never mixes diarized and plain
    /// outputs and plain runs keep their settings (and their finished files) as before.
    var settingsSuffix: String {
        guard diarize else { return "" }
        return " diarize speakers=\(speakers.speakers.map(String.init) ?? "-") min=\(speakers.minSpeakers.map(String.init) ?? "-") max=\(speakers.maxSpeakers.map(String.init) ?? "-")"
    }
}
