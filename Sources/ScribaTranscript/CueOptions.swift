// Subtitle limits. Defaults follow common broadcast / streaming practice (e.g. Netflix and BBC
// timed-text guidelines): 42 characters per line for Latin/Cyrillic scripts and 16 for CJK, two
// lines, at most 20 characters per second (17 for CJK), 5/6 s to 7 s on screen, and a two-frame
// gap at 25 fps (80 ms) between cues.

public struct CueOptions: Sendable, Hashable {
    /// Characters per line; `nil` picks by script (42 Latin, 16 CJK).
    public var maxLineChars: Int?
    public var maxLines: Int
    /// Reading speed limit in characters (spaces included, line breaks not) per second;
    /// `nil` picks by script (20 Latin, 17 CJK).
    public var maxCPS: Double?
    public var minDuration: Double
    public var maxDuration: Double
    /// Smallest gap between one cue's end and the next one's start, seconds.
    public var minGap: Double
    /// Force a script's limits; `nil` decides from the transcript's language and text.
    public var script: ScriptClass?

    public static let latinLineChars = 42
    public static let cjkLineChars = 16
    public static let latinCPS = 20.0
    public static let cjkCPS = 17.0
    public static let defaultMinDuration = 0.833
    public static let defaultMaxDuration = 7.0
    /// Two frames at 25 fps.
    public static let defaultMinGap = 0.080

    public init(
        maxLineChars: Int? = nil, maxLines: Int = 2, maxCPS: Double? = nil,
        minDuration: Double = CueOptions.defaultMinDuration,
        maxDuration: Double = CueOptions.defaultMaxDuration,
        minGap: Double = CueOptions.defaultMinGap, script: ScriptClass? = nil
    ) {
        self.maxLineChars = maxLineChars
        self.maxLines = maxLines
        self.maxCPS = maxCPS
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.minGap = minGap
        self.script = script
    }

    /// The limits with every script-dependent value filled in, and impossible values clamped
    /// (at least 1 char and 1 line, maxDuration ≥ minDuration > 0) so shaping never traps.
    public func resolved(for script: ScriptClass) -> ResolvedCueLimits {
        let chars = maxLineChars ?? (script == .cjk ? Self.cjkLineChars : Self.latinLineChars)
        let cps = maxCPS ?? (script == .cjk ? Self.cjkCPS : Self.latinCPS)
        let minD = max(0.001, minDuration.isFinite ? minDuration : Self.defaultMinDuration)
        let maxD = max(minD, maxDuration.isFinite ? maxDuration : Self.defaultMaxDuration)
        return ResolvedCueLimits(
            maxLineChars: max(1, chars), maxLines: max(1, maxLines),
            maxCPS: cps > 0 && cps.isFinite ? cps : Self.latinCPS,
            minDuration: minD, maxDuration: maxD,
            minGap: max(0, minGap.isFinite ? minGap : Self.defaultMinGap))
    }

    /// Script for a transcript: by language code when it names a CJK language, else by its text.
    public func script(for transcript: Transcript) -> ScriptClass {
        if let script { return script }
        let code = transcript.language.lowercased()
        if ["zh", "ja", "ko", "yue", "chinese", "japanese", "korean", "cantonese"].contains(code) {
            return .cjk
        }
        return ScriptClass.dominant(in: transcript.text)
    }
}

/// `CueOptions` with every limit decided; what the shaper works with.
public struct ResolvedCueLimits: Sendable, Hashable {
    public var maxLineChars: Int
    public var maxLines: Int
    public var maxCPS: Double
    public var minDuration: Double
    public var maxDuration: Double
    public var minGap: Double
}
