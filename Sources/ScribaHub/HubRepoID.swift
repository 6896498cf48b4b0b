import Foundation

/// A model repository name on the hub, `ORG/NAME`, and its folder name in the Hugging Face cache
/// (`models--ORG--NAME`, huggingface_hub's `repo_folder_name`).
public struct HubRepoID: Hashable, Sendable, CustomStringConvertible {
    public let owner: String
    public let name: String

    public var description: String { "\(owner)/\(name)" }

    /// `models--ORG--NAME`: "/" becomes "--", as huggingface_hub's REPO_ID_SEPARATOR.
    public var cacheFolderName: String { "models--\(owner)--\(name)" }

    /// Accepts exactly `ORG/NAME` with the hub's allowed characters (letters, digits, `-_.`),
    /// so a mistyped path is not silently taken for a repo.
    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ Self.isValidPart($0) }) else {
            throw ModelHubError.invalidRepoID(text)
        }
        owner = String(parts[0])
        name = String(parts[1])
    }

    /// Inverse of `cacheFolderName`; nil for folders that are not model repos (datasets, spaces, locks).
    public init?(cacheFolderName folder: String) {
        guard folder.hasPrefix("models--") else { return nil }
        let rest = folder.dropFirst("models--".count)
        guard let separator = rest.range(of: "--") else { return nil }
        let owner = rest[..<separator.lowerBound], name = rest[separator.upperBound...]
        guard Self.isValidPart(owner), Self.isValidPart(name) else { return nil }
        self.owner = String(owner)
        self.name = String(name)
    }

    private static func isValidPart(_ part: Substring) -> Bool {
        guard !part.isEmpty, part.count <= 96, part != ".", part != ".." else { return false }
        return part.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || scalar == "-" || scalar == "_" || scalar == "."
        }
    }
}
