/// How long `run` waits before restarting a child that ended: 1 s, doubling to `maximum` while the child keeps
/// dying young, back to 1 s once it has run for `stableAfter`. A child that crashes at once is restarted a few
/// times a minute, not thousands of times (the old backend's 485 restarts came from a tight restart loop).
struct RestartBackoff: Equatable {
    var initial: Duration = .seconds(1)
    var maximum: Duration = .seconds(30)
    var stableAfter: Duration = .seconds(60)
    /// Restarts in a row, counting from the last one after a run that reached `stableAfter`.
    private(set) var consecutive = 0

    /// The wait before the next start, given how long the child just ran; counts the restart.
    mutating func delay(afterRunning ran: Duration) -> Duration {
        consecutive = ran >= stableAfter ? 1 : consecutive + 1
        var delay = initial
        for _ in 1..<consecutive where delay < maximum { delay *= 2 }
        return min(delay, maximum)
    }
}
