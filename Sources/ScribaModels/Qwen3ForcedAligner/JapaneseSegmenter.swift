/// Splits Japanese text into words (the forced aligner's units for Japanese). The reference uses
/// nagisa (a BiLSTM tagger in Python); Scriba uses MeCab (`MeCabSegmenter`). Other analysers can
/// be plugged in, and tests can pass the reference's own units through a fixed segmenter.
public protocol JapaneseSegmenter: Sendable {
    /// Surface forms in order, punctuation included (the aligner drops what has no letters or digits).
    func words(in text: String) throws -> [String]
}
