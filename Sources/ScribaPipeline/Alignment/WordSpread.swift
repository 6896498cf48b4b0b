extension Array where Element == TimedWord {
    /// Gives the words at `range` consecutive slices of `start...end` sized by their letters (at
    /// least one each): for words known to have been spoken, in order, inside that span, but not
    /// where inside it.
    mutating func spread(_ range: ClosedRange<Int>, from start: Double, to end: Double) {
        let weights = range.map { Double(Swift.max(1, self[$0].text.count(where: { $0.isLetter || $0.isNumber }))) }
        let total = weights.reduce(0, +)
        var at = start
        for (k, index) in range.enumerated() {
            self[index].start = at
            at = index == range.upperBound ? end : at + (end - start) * weights[k] / total
            self[index].end = at
        }
    }
}
