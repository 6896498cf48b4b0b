#if canImport(Glibc)
import Foundation
import Glibc
import Testing
@testable import ScribaTensor

/// The pattern a live stream's steps make: a large block freed (glibc then serves blocks up to its
/// size from the heap), megabyte blocks used and freed between small blocks still in use, so the
/// free space cannot be given back from the heap's top. Those pages stay resident until
/// `FreedMemory.release()`.
@Suite struct FreedMemoryTests {
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func freedHeapPagesGoBackToTheSystem() {
        let megabyte = 1 << 20
        let large = malloc(16 * megabyte)!
        memset(large, 1, 16 * megabyte)
        free(large)
        var blocks: [UnsafeMutableRawPointer] = [], pins: [UnsafeMutableRawPointer] = []
        for _ in 0..<256 {
            blocks.append(malloc(megabyte)!)
            pins.append(malloc(64)!)
        }
        for block in blocks { memset(block, 1, megabyte) }
        for block in blocks { free(block) }
        let before = Self.residentBytes()
        FreedMemory.release()
        let after = Self.residentBytes()
        for pin in pins { free(pin) }
        #expect(before - after >= 32 * megabyte, "resident \(before >> 20) MB → \(after >> 20) MB")
    }
}
#endif
