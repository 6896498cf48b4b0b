import Foundation
import Testing
import ScribaTestSupport

// `--diarize` as a user runs it: flag checks and the missing-models error need no weights; then two
// real speakers (TwoSpeakerRecording: the LibriVox reader, the MFA Japanese speaker, the reader again)
// through Whisper base, every output format and the minutes.

struct DiarizedOutputTests {
    @Test func speakerFlagsWithoutDiarizeAndRTTMWithoutDiarizeAreRefused() async throws {
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav").path
        let count = try await runScriba(["subtitles", clip, "--speakers", "2"])
        #expect(count.status != 0 && count.stderr.contains("need --diarize"), "\(count.stderr)")
        let rttm = try await runScriba(["subtitles", clip, "--format", "srt,rttm"])
        #expect(rttm.status != 0 && rttm.stderr.contains("add --diarize"), "\(rttm.stderr)")
        let zero = try await runScriba(["minutes", clip, "--diarize", "--speakers", "0"])
        #expect(zero.status != 0 && zero.stderr.contains("--speakers must be at least 1"), "\(zero.stderr)")
    }

    @Test func missingModelsStopTheCommandWithTheFix() async throws {
        let clip = TestLocations.fixtures.appendingPathComponent("whisper/librivox-0870.wav").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("diarize-missing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        for command in ["subtitles", "transcribe", "minutes"] {
            let run = try await ScribaRun.run([command, clip, "--diarize", "--engine", "whisper", "--model", TestLocations.whisperBase.path]
                                              + (command == "transcribe" ? [] : ["-o", out.path]),
                                              environment: ["SCRIBA_MODELS_DIR": "/nonexistent/models", "HOME": NSHomeDirectory()])
            #expect(run.status != 0, "\(command)")
            #expect(run.stderr.contains("scripts/fetch-diarization-models"), "\(command): \(run.stderr)")
        }
        // Nothing was written for the file.
        let written = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(!written.contains { $0.hasPrefix("librivox-0870.") }, "\(written)")
    }
}

@Suite(.enabled(if: TestLocations.hasWhisperBase && TestLocations.hasDiarizationModels,
                Comment(rawValue: TestLocations.whisperBaseMissing + "; " + TestLocations.diarizationModelsMissing)))
struct DiarizedWhisperTests {
    @Test func twoRealSpeakersGetTheirOwnLabelsInEveryOutputAndNoCueStraddlesTheChange() async throws {
        let input = try TwoSpeakerRecording.file()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("diarized-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: out) }
        let stem = input.deletingPathExtension().lastPathComponent
        let whisper = ["--engine", "whisper", "--model", TestLocations.whisperBase.path, "--diarize"]
        // The three runs at once: each is mostly one debug-build Whisper decode.
        async let subtitles = runScriba(["subtitles", input.path, "-o", out.path, "--format", "srt,vtt,json,tsv,rttm,txt"] + whisper)
        async let minutes = runScriba(["minutes", input.path, "-o", out.path, "--participants", "Anna, Ken"] + whisper)
        async let transcribe = runScriba(["transcribe", input.path] + whisper)
        let runs = try await [subtitles, minutes, transcribe]
        for run in runs { #expect(run.status == 0, "\(run.stderr)") }
        func read(_ suffix: String) throws -> String { try String(contentsOf: out.appendingPathComponent(stem + suffix), encoding: .utf8) }

        // Clip i's label: the reader first (SPEAKER_1), then the Japanese speaker, then the reader.
        let spans = try TwoSpeakerRecording.spans(), expected = ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1"]
        func overlap(_ start: Double, _ end: Double, _ span: ClosedRange<Double>) -> Double {
            max(0, min(end, span.upperBound) - max(start, span.lowerBound))
        }

        // JSON: every word well inside a clip has that clip's speaker.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(read(".json").utf8)) as? [String: Any])
        let words = (json["segments"] as? [[String: Any]] ?? []).flatMap { $0["words"] as? [[String: Any]] ?? [] }
        var seen = [Set<String>](repeating: [], count: 3)
        for word in words {
            let start = word["start"] as? Double ?? 0, end = word["end"] as? Double ?? 0
            for (index, span) in spans.enumerated() where ((span.lowerBound + 0.5)...(span.upperBound - 0.5)) ~= (start + end) / 2 {
                seen[index].insert(word["speaker"] as? String ?? "none")
            }
        }
        #expect(seen == expected.map { [$0] }, "\(seen)")
        #expect((json["speakers"] as? [[String: Any]])?.map { $0["speaker"] as? String } == ["SPEAKER_1", "SPEAKER_2"])
        #expect((json["segments"] as? [[String: Any]] ?? []).allSatisfy { $0["speaker"] is String })

        // SRT: every cue labelled, within one clip, with that clip's speaker.
        let cues = try read(".srt").components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(cues.count >= 3)
        for cue in cues {
            let lines = cue.split(separator: "\n").map(String.init)
            let times = lines[1].components(separatedBy: " --> ").map { clock in
                clock.split(whereSeparator: { $0 == ":" || $0 == "," }).compactMap { Double($0) }.enumerated()
                    .reduce(0.0) { $0 + $1.element * [3600, 60, 1, 0.001][$1.offset] }
            }
            let covered = spans.map { overlap(times[0], times[1], $0) }
            #expect(covered.filter { $0 > 0.3 }.count == 1, "a cue across a speaker change: \(cue)")
            let clip = covered.indices.max { covered[$0] < covered[$1] }!
            #expect(lines[2].hasPrefix(expected[clip] + ": "), "\(cue)")
        }
        let vtt = try read(".vtt")
        #expect(vtt.contains("<v Speaker 1>") && vtt.contains("<v Speaker 2>"))
        let tsv = try read(".tsv").split(separator: "\n")
        #expect(tsv.first == "start\tend\tspeaker\ttext")
        #expect(Set(tsv.dropFirst().map { $0.split(separator: "\t")[2] }) == ["SPEAKER_1", "SPEAKER_2"])
        let rttm = try read(".rttm").split(separator: "\n")
        #expect(!rttm.isEmpty && rttm.allSatisfy { $0.hasPrefix("SPEAKER \(stem) 1 ") })
        #expect(Set(rttm.map { $0.split(separator: " ")[7] }) == ["SPEAKER_1", "SPEAKER_2"])
        #expect(try read(".txt").split(separator: "\n").allSatisfy { $0.hasPrefix("SPEAKER_") })

        // Minutes: talk time per named speaker, and who said what in order.
        let markdown = try read(".minutes.md")
        #expect(markdown.contains("- Anna (SPEAKER_1): ") && markdown.contains("- Ken (SPEAKER_2): "), "\(markdown)")
        let minutesJSON = try #require(try JSONSerialization.jsonObject(with: Data(read(".minutes.json").utf8)) as? [String: Any])
        #expect((minutesJSON["utterances"] as? [[String: Any]])?.map { $0["speaker"] as? String } == ["Anna", "Ken", "Anna"])

        // transcribe: one line per run of one speaker.
        #expect(runs[2].stdout.split(separator: "\n").map { $0.prefix(10) } == ["SPEAKER_1:", "SPEAKER_2:", "SPEAKER_1:"], "\(runs[2].stdout)")
    }
}
