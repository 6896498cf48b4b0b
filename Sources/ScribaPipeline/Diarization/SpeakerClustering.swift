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
        // distance[i·n + j]: average cosine distance between clusters i and j; infinity = cannot link.
        var distance = [Double](repeating: .infinity, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n where groups[i] != groups[j] {
                var dot = 0.0
                for k in unit[i].indices { dot += unit[i][k] * unit[j][k] }
                distance[i * n + j] = 1 - dot
                distance[j * n + i] = 1 - dot
            }
        }
        var size = [Int](repeating: 1, count: n)
        var alive = [Bool](repeating: true, count: n)
        var parent = Array(0..<n)
        var clusters = n
        let target = count.exactly.map { min(max($0, 1), n) }
        while clusters > 1 {
            var best = Double.infinity, a = -1, b = -1
            for i in 0..<n where alive[i] {
                for j in (i + 1)..<n where alive[j] && distance[i * n + j] < best {
                    best = distance[i * n + j]
                    a = i
                    b = j
                }
            }
            guard a >= 0, best.isFinite else { break }   // only cannot-link pairs left
            if let target {
                if clusters <= target { break }
            } else if best > threshold, clusters <= count.maximum {
                break
            }
            if target == nil, clusters <= count.minimum { break }
            // Merge b into a (average linkage, Lance–Williams); a cannot-link to either side stays.
            for k in 0..<n where alive[k] && k != a && k != b {
                let dA = distance[a * n + k], dB = distance[b * n + k]
                let merged = dA.isFinite && dB.isFinite ? (Double(size[a]) * dA + Double(size[b]) * dB) / Double(size[a] + size[b]) : .infinity
                distance[a * n + k] = merged
                distance[k * n + a] = merged
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
