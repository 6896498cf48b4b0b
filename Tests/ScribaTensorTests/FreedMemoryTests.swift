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
    /// Resident bytes of the whole pages inside each block (`mincore`): only this test's memory, so
    /// other suites allocating at the same time do not blur it, as the process's RSS would.
    static func residentBytes(in blocks: [(address: UInt, bytes: Int)]) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = 0
        for block in blocks {
            let first = (Int(block.address) + page - 1) / page * page
            let end = (Int(block.address) + block.bytes) / page * page
            guard end > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { continue }
            var flags = [UInt8](repeating: 0, count: (end - first) / page)
            guard mincore(start, end - first, &flags) == 0 else { continue }
            resident += flags.reduce(0) { $0 + Int($1 & 1) } * page
        }
        return resident
    }

    @Test func freedHeapPagesGoBackToTheSystem() {
        let megabyte = 1 << 20
        let large = malloc(16 * megabyte)!
        memset(large, 1, 16 * megabyte)
        free(large)
        var blocks: [UnsafeMutableRawPointer] = [], pins: [UnsafeMutableRawPointer] = []
        // 4 KB pins: above the thread cache's sizes, so they come from the heap's top between the
        // blocks and keep each freed block from merging into the top (which free() itself trims).
        for _ in 0..<256 {
            blocks.append(malloc(megabyte)!)
            pins.append(malloc(4_096)!)
        }
        for block in blocks { memset(block, 1, megabyte) }
        let freed = blocks.map { (address: UInt(bitPattern: $0), bytes: megabyte) }
        for block in blocks { free(block) }
        let before = Self.residentBytes(in: freed)
        FreedMemory.release()
        let after = Self.residentBytes(in: freed)
        for pin in pins { free(pin) }
        // Freed but kept resident by the heap before the call (glibc unmaps a heap that empties
        // entirely, so not all 256 MB), and given back by it.
        #expect(before >= 32 * megabyte, "only \(before >> 20) MB of the freed blocks were resident before the call")
        #expect(after <= before / 4, "resident \(before >> 20) MB → \(after >> 20) MB")
    }
}
#endif
