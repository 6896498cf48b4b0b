/// How `WindowedAligner` keeps a forced aligner inside the range where it works:
/// the Qwen3 aligner has a fixed set of time bins per call and, fed minutes of audio, tends to
/// give whole runs of words one time. Defaults are deliberately conservative.
public struct AlignmentSafetyOptions: Sendable, Hashable {
    /// Longest audio (seconds) one aligner call gets; longer input is cut at pauses. 60 s is a
    /// third of the reference's 180 s cap.
    public var windowDuration: Double
    /// A run of at least this many consecutive words with the same start time is a plateau.
    public var plateauMinWords: Int
    /// Words at the end of a stretch sharing one start (at least this many) while at least
    /// `stallSeconds` of audio remain: the times stopped advancing.
    public var stallMinWords: Int
    public var stallSeconds: Double
    /// Starts closer than this (seconds) count as the same time (one classifier bin is 80 ms).
    public var sameTimeTolerance: Double
    /// How many times a plateau's stretch is re-aligned on a narrower window (or halved) before
    /// its words are interpolated.
    public var maxRealignDepth: Int
    /// Stretches shorter than this (seconds) are not re-aligned: too short to tell words apart.
    public var minRealignDuration: Double

    public init(windowDuration: Double = 60, plateauMinWords: Int = 4, stallMinWords: Int = 3, stallSeconds: Double = 2,
                sameTimeTolerance: Double = 0.001, maxRealignDepth: Int = 2, minRealignDuration: Double = 0.5) {
        self.windowDuration = windowDuration
        self.plateauMinWords = plateauMinWords
        self.stallMinWords = stallMinWords
        self.stallSeconds = stallSeconds
        self.sameTimeTolerance = sameTimeTolerance
        self.maxRealignDepth = maxRealignDepth
        self.minRealignDuration = minRealignDuration
    }
}
