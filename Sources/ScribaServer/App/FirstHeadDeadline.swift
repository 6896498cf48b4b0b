import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

// Slow-loris protection for the ports that also upgrade to WebSocket. Hummingbird's plain HTTP/1
// channel closes a connection whose request head is not complete within its idle timeout, but the
// WebSocket-upgrade channel adds that timer only once a head has arrived (to decide on the upgrade),
// so headers trickled a byte a second would hold a connection open for ever. This closes a
// connection whose first request head has not fully arrived within the deadline; after that the
// upgrade channel's own idle timer (HTTP) or the realtime route's limits (WebSocket) take over.

extension HTTPServerBuilder {
    /// `.http1WebSocketUpgrade(webSocketRouter:configuration:)` with `FirstHeadDeadline` in front.
    static func http1WebSocketUpgrade<WebSocketRouter: HTTPResponderBuilder>(
        webSocketRouter: WebSocketRouter, configuration: HTTP1WebSocketUpgradeChannel.Configuration, headDeadline: TimeAmount
    ) -> HTTPServerBuilder where WebSocketRouter.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            HeadDeadlineChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                deadline: headDeadline)
        }
    }
}

/// A server child channel with `FirstHeadDeadline` first in its pipeline.
struct HeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let deadline: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FirstHeadDeadline(deadline: deadline), position: .first)
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection unless the bytes of its first request head, up to the blank line that ends
/// it, arrive within `deadline` of the connection opening; then removes itself.
final class FirstHeadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// The last bytes seen, so a "\r\n\r\n" split across reads is still found.
    private var tail: [UInt8] = []

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let complete = headEnds(in: buffer)
        context.fireChannelRead(data)
        if complete {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) { bound.value.close(promise: nil) }
    }

    private func headEnds(in buffer: ByteBuffer) -> Bool {
        let bytes = tail + buffer.readableBytesView
        let end: [UInt8] = [13, 10, 13, 10]
        if bytes.count >= end.count, (0...(bytes.count - end.count)).contains(where: { bytes[$0..<($0 + end.count)].elementsEqual(end) }) {
            return true
        }
        tail = Array(bytes.suffix(end.count - 1))
        return false
    }
}
