/// How long a connection may take, so that slow or silent clients cannot hold sockets (slowloris).
public struct ConnectionTimeouts: Sendable {
    /// How long a connection may wait for a request head — right after it opened, or after a response
    /// on a kept-alive connection — before it is closed. Bytes trickling in without completing a
    /// head do not extend it.
    public var idle: Duration
    /// How long a request may take from its head to the end of its body.
    public var request: Duration

    public init(idle: Duration = .seconds(30), request: Duration = .seconds(15)) {
        self.idle = idle
        self.request = request
    }
}
