import Foundation
import Synchronization
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
    private let watchesSignals: Bool

    public init() { watchesSignals = false }
    private init(watchesSignals: Bool) { self.watchesSignals = watchesSignals }

    public var isRequested: Bool {
        lock.withLock { requested } || (watchesSignals && interruptReceived.load(ordering: .acquiring))
    }

    public func request() { lock.withLock { requested = true } }

    /// Handles SIGINT and SIGTERM: the first one requests a stop (and says so on stderr), a second
    /// one ends the process at once with the conventional 128 + signal status. Finished outputs
    /// are safe either way: they are only ever renamed into place whole.
    ///
    /// A plain sigaction handler, not a dispatch signal source: a source needs the signal ignored,
    /// and a process started with SIGINT ignored or blocked by its parent (a test runner, a
    /// supervisor) then never sees the signal on the threads that don't block it.
    public static func onInterrupt(message: String) -> BatchStop {
        interruptMessage.withLock { $0 = Array((message + "\n").utf8) }
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM] {
            signal(number, { number in
                if interruptReceived.exchange(true, ordering: .acquiringAndReleasing) { _exit(128 + number) }
                // write(2) is async-signal-safe; the message was stored before the handler was set.
                interruptMessage.withLockIfAvailable { _ = $0.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) } }
            })
            sigaddset(&signals, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        return BatchStop(watchesSignals: true)
    }
}

private let interruptReceived = Atomic<Bool>(false)
private let interruptMessage = Mutex<[UInt8]>([])
