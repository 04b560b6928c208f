import NIOCore

/// The deadline of each phase of one HTTP/1.1 connection, so that a client can hold a connection only while it makes
/// progress at a human pace: headers within `header` of their first byte, a body within `body` of its headers, a
/// response read within `send` of its start, and at most `idle` between one response and the next request's first
/// byte. A new connection is held to the header bound from the start: a browser sends its request at once.
///
/// Pure: the handler feeds it what happened and when, and closes the connection when `expired(at:)` names a phase.
/// The time the server spends answering (a durable commit) has no deadline here; it is the server's, not the client's.
struct ConnectionDeadlines {
    struct Limits: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
        var send: TimeAmount
    }

    /// The phase whose deadline passed; the raw value is the metric label.
    enum Expiry: String, CaseIterable, Sendable {
        case header = "header_timeout"
        case body = "body_timeout"
        case idle = "idle_timeout"
        case send = "send_timeout"
    }

    let limits: Limits
    /// What the client owes next and by when: its headers, its body, or (idle) the first byte of another request.
    /// Nil while every request read is being answered.
    private(set) var read: (deadline: NIODeadline, phase: Expiry)?
    /// When the oldest response not yet taken by the client must have been.
    private(set) var send: NIODeadline?
    /// Requests whose head was read and whose response is not yet written out.
    private var unanswered = 0

    init(limits: Limits, openedAt now: NIODeadline) {
        self.limits = limits
        read = (now + limits.header, .header)
    }

    /// Bytes arrived: the first of a next request starts its header deadline; later ones change nothing, so a
    /// trickle of bytes cannot stretch it.
    mutating func bytesArrived(at now: NIODeadline) {
        if read == nil || read?.phase == .idle { read = (now + limits.header, .header) }
    }

    mutating func headReceived(at now: NIODeadline) {
        unanswered += 1
        read = (now + limits.body, .body)
    }

    /// The request is complete: the server answers now.
    mutating func requestEnded() { read = nil }

    mutating func responseStarted(at now: NIODeadline) {
        if send == nil { send = now + limits.send }
    }

    /// The response's last bytes reached the socket. With nothing else to answer or read, the connection is idle.
    mutating func responseWritten(at now: NIODeadline) {
        unanswered = max(0, unanswered - 1)
        send = nil
        if unanswered == 0 && read == nil { read = (now + limits.idle, .idle) }
    }

    /// The earliest deadline still ahead of the connection.
    var next: NIODeadline? {
        switch (read?.deadline, send) {
        case (let r?, let s?): min(r, s)
        case (let r?, nil): r
        case (nil, let s?): s
        case (nil, nil): nil
        }
    }

    /// The phase whose deadline has passed at `now`, if any.
    func expired(at now: NIODeadline) -> Expiry? {
        if let send, send <= now { return .send }
        if let read, read.deadline <= now { return read.phase }
        return nil
    }
}
