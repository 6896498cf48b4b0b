import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A request to stop a batch after the files in progress: no new file starts, the ones running
/// finish and are saved, and the report is written. Set from a signal handler (Ctrl-C) or a caller.
public final class BatchStop: @unchecked Sendable {
    // @unchecked: `requested` is only touched under `lock`.
    private let lock = NSLock()
    private var requested = false
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    public var isRequested: Bool { lock.withLock { requested } }

    public func request() { lock.withLock { requested = true } }

    /// Handles SIGINT and SIGTERM: the first one requests a stop (and says so on stderr), a second
    /// one ends the process at once with the conventional 128 + signal status. Finished outputs
    /// are safe either way: they are only ever renamed into place whole.
    public static func onInterrupt(message: String) -> BatchStop {
        let stop = BatchStop()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak stop] in
                guard let stop else { return }
                if stop.isRequested {
                    signal(number, SIG_DFL)
                    _exit(128 + number)
                }
                stop.request()
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            source.resume()
            stop.sources.append(source)
        }
        return stop
    }
}
