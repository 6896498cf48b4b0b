import Foundation

// Agglomerative clustering of speaker embeddings on cosine distance, average linkage, with cannot-link
// groups: two embeddings of the same group (the local speakers of one segmentation window, which the
// model already told apart) never end in one cluster. Merging stops at the distance threshold, unless a
// speaker count asks for more or fewer merges (`SpeakerCount`).
// Cost: O(n²) memory for the distance matrix and O(n²) per merge in the worst case; n is the number of
// (window, local speaker) embeddings, ~2 per window (a 1-hour file with 5 s steps: ~1 500).

/// How many speakers to find: a fixed number, or bounds around the threshold's answer.
public struct SpeakerCount: Sendable, Equatable {
    public var exactly: Int?
    public var minimum: Int
    public var maximum: Int

    public init(exactly: Int? = nil, minimum: Int = 1, maximum: Int = .max) {
        self.exactly = exactly
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
    }
}

public enum SpeakerClustering {
    /// Cluster index (0-based, in order of each cluster's first member) for every embedding.
    /// `groups[i]` is embedding i's cannot-link group. `threshold` is the cosine distance above which
    /// two clusters stay apart (when `count` allows).
    public static func cluster(_ embeddings: [[Float]], groups: [Int], threshold: Double, count: SpeakerCount = .init()) -> [Int] {
        let n = embeddings.count
        guard n > 1 else { return [Int](repeating: 0, count: n) }
        precondition(groups.count == n, "one cannot-link group per embedding")
        let unit = embeddings.map { e -> [Double] in
            let norm = e.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            return e.map { norm > 0 ? Double($0) / norm : 0 }
        }
        // distance[i·n + j]: average cosine distance between clusters i and j; apart[i·n + j]: some
        // member of i shares a window with some member of j (cannot link).
        var distance = [Double](repeating: 0, count: n * n)
        var apart = [Bool](repeating: false, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var dot = 0.0
                for k in unit[i].indices { dot += unit[i][k] * unit[j][k] }
                distance[i * n + j] = 1 - dot
                distance[j * n + i] = 1 - dot
                apart[i * n + j] = groups[i] == groups[j]
                apart[j * n + i] = groups[i] == groups[j]
            }
        }
        var size = [Int](repeating: 1, count: n)
        var alive = [Bool](repeating: true, count: n)
        var parent = Array(0..<n)
        var clusters = n
        let target = count.exactly.map { min(max($0, 1), n) }
        // The most clusters the caller accepts: only past it may a cannot-link pair merge (a user who
        // says "one speaker" is believed over the segmentation model).
        let ceiling = target ?? count.maximum
        while clusters > 1 {
            var best = Double.infinity, a = -1, b = -1
            var forced = Double.infinity, fa = -1, fb = -1
            for i in 0..<n where alive[i] {
                for j in (i + 1)..<n where alive[j] {
                    let d = distance[i * n + j]
                    if !apart[i * n + j] {
                        if d < best { best = d; a = i; b = j }
                    } else if d < forced {
                        forced = d; fa = i; fb = j
                    }
                }
            }
            if let target, clusters <= target { break }
            if target == nil {
                if clusters <= count.minimum { break }
                if (a < 0 || best > threshold) && clusters <= count.maximum { break }
            }
            if a < 0 {
                guard clusters > ceiling, fa >= 0 else { break }
                (a, b) = (fa, fb)
            }
            // Merge b into a (average linkage, Lance–Williams); cannot-links of either side carry over.
            for k in 0..<n where alive[k] && k != a && k != b {
                let merged = (Double(size[a]) * distance[a * n + k] + Double(size[b]) * distance[b * n + k]) / Double(size[a] + size[b])
                distance[a * n + k] = merged
                distance[k * n + a] = merged
                apart[a * n + k] = apart[a * n + k] || apart[b * n + k]
                apart[k * n + a] = apart[a * n + k]
            }
            size[a] += size[b]
            alive[b] = false
            parent[b] = a
            clusters -= 1
        }
        func root(_ i: Int) -> Int { var i = i; while parent[i] != i { i = parent[i] }; return i }
        var numbering: [Int: Int] = [:]
        return (0..<n).map { i in
            let r = root(i)
            if let label = numbering[r] { return label }
            numbering[r] = numbering.count
            return numbering[r]!
        }
    }
}
