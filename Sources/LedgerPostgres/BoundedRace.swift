import Synchronization

/// The state of one `PostgresEventLog.bounded` call: the body's result and the timer race to resume one
/// continuation, exactly once. The timer's first answer wins only while the body has not started its work; its
/// second (`abandon`) wins over a body that started and never ended.
final class BoundedRace<T: Sendable>: Sendable {
    private enum Phase {
        case waiting, started, resumed
    }

    private struct State {
        var phase = Phase.waiting
        var continuation: CheckedContinuation<Result<T, any Error>, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func begin(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    /// The timer's task, cancelled as soon as the body answers, so no sleeping task outlives its call.
    func setTimer(_ timer: Task<Void, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            state.timer = timer
            return state.phase == .resumed
        }
        if cancelNow { timer.cancel() }
    }

    func markStarted() {
        state.withLock { state in
            if state.phase == .waiting { state.phase = .started }
        }
    }

    /// The body's outcome; ignored when the timer already answered.
    func finish(_ result: Result<T, any Error>) {
        resume(with: result, onlyWhileWaiting: false)
        state.withLock { $0.timer }?.cancel()
    }

    /// The timer's answer: true when it was given (the body had not started), so the body should be cancelled.
    func expire(_ error: any Error) -> Bool {
        resume(with: .failure(error), onlyWhileWaiting: true)
    }

    /// The timer's last answer, for a body that started and has not ended: true when it was given.
    func abandon(_ error: any Error) -> Bool {
        resume(with: .failure(error), onlyWhileWaiting: false)
    }

    @discardableResult
    private func resume(with result: Result<T, any Error>, onlyWhileWaiting: Bool) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Result<T, any Error>, Never>? in
            guard state.phase != .resumed, !onlyWhileWaiting || state.phase == .waiting else { return nil }
            state.phase = .resumed
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
        return continuation != nil
    }
}
