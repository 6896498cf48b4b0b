// Who said what in the minutes of a diarized transcript: each speaker's talk time and the runs of
// speech in order, speakers named by `--participants` in order of first appearance.

extension Minutes {
    /// These minutes with `transcript`'s speakers and utterances; unchanged when it was not diarized.
    /// `names[i]` names the i-th speaker to appear (SPEAKER_{i+1}); speakers past the list keep their label.
    public func withSpeakers(of transcript: Transcript, names: [String]) -> Minutes {
        guard let speakers = transcript.speakers else { return self }
        func name(_ label: String) -> String {
            guard let index = SpeakerTurn.index(ofLabel: label), index < names.count else { return label }
            return names[index]
        }
        var result = self
        result.speakers = speakers.map { SpeakerTime(name: name($0.id), label: $0.id, seconds: $0.talkSeconds) }
        result.utterances = transcript.utterances.map {
            var utterance = $0
            utterance.speaker = name($0.speaker)
            return utterance
        }
        return result
    }
}
