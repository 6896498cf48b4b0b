import ArgumentParser
import Foundation
import ScribaAudio
import ScribaFormats
import ScribaPipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension LiveCaptionWriter.Format: ExpressibleByArgument {}

struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Live captions: committed text on stdout as it is fixed, from a file played at real time or raw PCM on stdin.",
        discussion: """
            A microphone: ffmpeg -f pulse -i default -f s16le -ar 16000 -ac 1 - | scriba live -

            The not-yet-fixed tail is shown greyed on the terminal (stderr, only on a TTY). Ctrl-C ends the stream: what was heard is finalised and written. Runs on Whisper (the default; its word times drive the commits) or a local Qwen3-ASR model (--engine qwen3: its own streaming method, a step per 2 s; word times are spread over each step's audio).
            """
    )

    @Argument(help: "An audio/video file (played at real time), or - for raw s16le 16 kHz mono on stdin.")
    var input: String = "-"

    @Flag(name: .customLong("no-pace"), help: "Feed the file as fast as it decodes instead of at real time.")
    var noPace = false

    @Option(help: "What stdout gets: txt (committed text, a line per sentence), srt (a cue per finished sentence), jsonl (one JSON object per event: committed words with times, partials, final).")
    var format: LiveCaptionWriter.Format = .txt

    @Option(name: [.short, .customLong("output")], help: "Also write the whole result here when the stream ends (txt: text, srt: SRT, jsonl: Scriba's JSON).")
    var output: String?

    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if input == "-", noPace { throw ValidationError("--no-pace applies to a file; stdin is read as it arrives.") }
        if let engineKind = engine.engine, engineKind != .whisper, engineKind != .qwen3 {
            throw ValidationError("Live captions run on a local engine: --engine whisper or --engine qwen3; drop --engine \(engineKind.rawValue).")
        }
    }

    func run() async throws {
        // Before the model loads: a Ctrl-C then ends the stream at once instead of killing the process.
        let stop = BatchStop.onInterrupt(message: "stopping: finishing what was heard (Ctrl-C again to quit now)...")
        var options = engine
        if options.engine == nil { options.engine = .whisper }
        let resolved = try await options.resolvingModels()
        let (recognizer, _) = try resolved.makeEngines()
        let session = try StreamingSessions.make(recognizer: recognizer, options: StreamingOptions(
            language: try engine.parsedLanguage(), context: try engine.contextText()))
        let source: LiveAudioInput
        if input == "-" {
            source = .pcm16(.standardInput)
        } else {
            source = .file(try AudioFile.load(URL(fileURLWithPath: input)).audio, paced: !noPace)
        }
        let watcher = Task {
            while !stop.isRequested { try await Task.sleep(for: .milliseconds(100)) }
            source.stop()
        }
        defer { watcher.cancel() }
        let console = LiveConsole(writer: LiveCaptionWriter(format: format))
        let transcript = try await StreamingRunner.run(session: session, audio: source.stream, throttled: noPace) { event, audioSeconds in
            await console.show(event, audioSeconds: audioSeconds)
        }
        if let output {
            let outputFormat: OutputFormat = switch format { case .txt: .txt; case .srt: .srt; case .jsonl: .json }
            try AtomicFile.write(render(outputFormat, transcript, options: OutputOptions(source: TranscriptSource(
                engine: (options.engine ?? .whisper).rawValue, model: recognizer.modelName))), to: URL(fileURLWithPath: output))
        }
    }
}

/// Writes events as they come: the writer's text to stdout, the partial greyed after the cursor on
/// a terminal's stderr (saved and restored, so committed text continues where it stood).
private actor LiveConsole {
    var writer: LiveCaptionWriter
    let start = ContinuousClock.now
    let showsPartial = isatty(STDERR_FILENO) == 1
    var partialShown = false
    /// Longest partial drawn on the terminal line (its end, where the words change).
    static let partialColumns = 60

    init(writer: LiveCaptionWriter) { self.writer = writer }

    func show(_ event: StreamingEvent, audioSeconds: Double) {
        let wall = (ContinuousClock.now - start) / .seconds(1)
        switch event {
        case .committed(let words):
            emit(writer.committed(words, audioSeconds: audioSeconds, wallSeconds: wall))
        case .partial(let text):
            if let line = writer.partial(text, audioSeconds: audioSeconds, wallSeconds: wall) { emit(line) }
            guard showsPartial else { return }
            clearPartial()
            guard !text.isEmpty else { return }
            let tail = text.count > Self.partialColumns ? "…" + text.suffix(Self.partialColumns) : text
            FileHandle.standardError.write(Data(("\u{1B}7\u{1B}[2m " + tail + "\u{1B}[0m\u{1B}8").utf8))
            partialShown = true
        case .final(let transcript):
            emit(writer.final(transcript, wallSeconds: wall))
        }
    }

    private func emit(_ text: String) {
        guard !text.isEmpty else { return }
        clearPartial()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func clearPartial() {
        guard partialShown else { return }
        FileHandle.standardError.write(Data("\u{1B}[K".utf8))
        partialShown = false
    }
}
