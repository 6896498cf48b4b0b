import ScribaTranscript

// Drives a StreamingSession from audio that arrives over time (a paced file, a pipe, a socket):
// one task appends chunks as they come, another steps whenever enough new audio is buffered. A
// step that takes longer than the audio it covers is simply followed by a larger one, so a slow
// machine falls behind by at most one step instead of queueing work.

public enum StreamingRunner {
    /// Runs `session` over `audio` (16 kHz mono chunks) until it ends, calling `onEvent` with each
    /// event and the seconds of audio received when it was made; returns the `.final` transcript.
    /// `throttled`: audio is appended no faster than the session steps (a file fed as fast as it
    /// decodes), so no step meets more than one step's new audio and the buffer's forced cut never
    /// skips any; a live source is not throttled, so a slow machine skips audio instead of falling behind.
    public static func run<Audio: AsyncSequence & Sendable>(
        session: some StreamingSession, audio: Audio, minStepSeconds: Double = StreamingOptions.defaultMinStepSeconds,
        throttled: Bool = false, onEvent: @escaping @Sendable (StreamingEvent, Double) async throws -> Void
    ) async throws -> Transcript where Audio.Element == [Float] {
        let input = InputEnd()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await chunk in audio where !chunk.isEmpty {
                        while throttled, await session.unprocessedSeconds >= minStepSeconds {
                            try await Task.sleep(for: .milliseconds(pollMilliseconds))
                        }
                        await session.append(chunk)
                    }
                    await input.end()
                } catch {
                    await input.end()
                    throw error
                }
            }
            group.addTask {
                while true {
                    let ended = await input.ended
                    if await session.unprocessedSeconds >= minStepSeconds {
                        let events = try await session.step()
                        let received = await session.receivedSeconds
                        for event in events { try await onEvent(event, received) }
                    } else if ended {
                        return
                    } else {
                        try await Task.sleep(for: .milliseconds(pollMilliseconds))
                    }
                }
            }
            try await group.waitForAll()
        }
        var transcript: Transcript?
        let received = await session.receivedSeconds
        for event in try await session.finish() {
            if case .final(let heard) = event { transcript = heard }
            try await onEvent(event, received)
        }
        return transcript ?? Transcript(language: "", duration: received, segments: [])
    }

    /// How often the stepping task looks for new audio: small against a 1 s step.
    static let pollMilliseconds = 20
}

/// Whether the audio source has ended.
private actor InputEnd {
    private(set) var ended = false
    func end() { ended = true }
}
