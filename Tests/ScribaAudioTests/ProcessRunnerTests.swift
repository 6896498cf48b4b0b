import Foundation
import Testing
@testable import ScribaAudio

@Suite struct ProcessRunnerTests {
    /// A child that writes 1 MB to stderr before its stdout would block forever on a full stderr
    /// pipe (64 KiB) if stderr were not drained while stdout is read.
    @Test func largeStderrDoesNotDeadlock() throws {
        var received = 0
        let result = try ProcessRunner.run(URL(fileURLWithPath: "/bin/sh"), arguments: [
            "-c", "head -c 1000000 /dev/zero >&2; head -c 300000 /dev/zero; exit 3",
        ]) { received += $0.count }
        #expect(received == 300_000)
        #expect(result.stderr.utf8.count == 1_000_000)
        #expect(result.status == 3)
    }

    @Test func findLooksThroughEachFolder() throws {
        #expect(ProcessRunner.find("sh", searchPath: "/nonexistent::/bin")?.path == "/bin/sh")
        #expect(ProcessRunner.find("sh", searchPath: "/nonexistent") == nil)
    }
}
