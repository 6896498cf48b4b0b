import Foundation
import Testing
@testable import ScribaModels

// The Korean word list is a resource file, not source: it is found beside the test runner (where
// SwiftPM copies the target's resources), it is the file the generator wrote, and a folder without
// it gives an error that names where it looked.

struct ModelResourcesTests {
    @Test func koreanWordListIsFoundAndWhole() throws {
        let url = try #require(ModelResources.url(of: KoreanLTokenizer.wordListFile))
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // scripts/resources/make_korean_word_list.py: 21,009 words, one per line, newline-terminated.
        #expect(lines.count == 21_010 && lines.last == "")
        #expect(lines.first == "a" && lines[21_008] == "ㅡㅡ해튼")
        #expect(throws: Never.self) { try KoreanLTokenizer.reference() }
    }

    @Test func searchStartsWithTheEnvironmentFolder() {
        let folders = ModelResources.searchFolders(environment: [ModelResources.environmentVariable: "/opt/scriba-data"])
        #expect(folders.first?.path == "/opt/scriba-data")
        #expect(folders.contains { $0.path == "/opt/scriba-data/Scriba_ScribaModels.resources" })
    }

    @Test func aMissingWordListIsAnErrorThatSaysWhereItLooked() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("scriba-no-resources-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = #expect(throws: ModelLoadError.self) { try ModelResources.locate(KoreanLTokenizer.wordListFile, in: [empty]) }
        #expect(error == .resourceMissing(file: KoreanLTokenizer.wordListFile, searched: [empty.path]))
        let message = error?.description ?? ""
        #expect(message.contains(empty.path) && message.contains(ModelResources.environmentVariable))
    }
}
