import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps `run`'s children alive: restarts one that ends with `RestartBackoff`, and on SIGTERM/SIGINT stops them in
/// order (the ledger's processes first, the sandbox CRM they talk to last), each bounded by `stopGrace` before
/// SIGKILL.
struct Supervisor {
    /// What to start, and in which stop group (lower stops first).
    struct Spec {
        var name: String
        var executable: String
        var arguments: [String]
        var stopGroup: Int
    }

    var specs: [Spec]
    /// Children already running when supervision starts (the sandbox CRM, started early to learn its port).
    var adopted: [ChildProcess] = []
    var environment: [String: String]
    var stopGrace: Duration = .seconds(20)
    var poll: Duration = .milliseconds(100)
    let say: (String) -> Void

    /// Runs until `stop` reports a signal; returns once every child has ended.
    func run(until stop: StopSignal) async {
        var running: [String: ChildProcess] = [:]
        var restartAt: [String: ContinuousClock.Instant] = [:]
        var backoffs: [String: RestartBackoff] = [:]
        let clock = ContinuousClock()
        for child in adopted { running[child.name] = child }
        for spec in specs where running[spec.name] == nil { restartAt[spec.name] = clock.now }
        while stop.signal == nil {
            for spec in specs {
                if let child = running[spec.name], let exit = child.poll() {
                    running[spec.name] = nil
                    let ran = Duration.seconds(Date().timeIntervalSince(child.startedAt))
                    let delay = backoffs[spec.name, default: RestartBackoff()].delay(afterRunning: ran)
                    say(
                        "\(spec.name) (pid \(child.pid)) \(exit) after \(Self.seconds(ran)); restarting in \(Self.seconds(delay))"
                    )
                    restartAt[spec.name] = clock.now + delay
                }
                if running[spec.name] == nil, let due = restartAt[spec.name], due <= clock.now {
                    restartAt[spec.name] = nil
                    do {
                        let child = try ChildProcess.spawn(
                            name: spec.name, executable: spec.executable, arguments: spec.arguments, environment: environment)
                        running[spec.name] = child
                        say("started \(spec.name) (pid \(child.pid))")
                    } catch {
                        let delay = backoffs[spec.name, default: RestartBackoff()].delay(afterRunning: .zero)
                        say("\(error); retrying in \(Self.seconds(delay))")
                        restartAt[spec.name] = clock.now + delay
                    }
                }
            }
            try? await Task.sleep(for: poll)
        }
        say("stopping (signal \(stop.signal ?? 0))")
        for group in Set(specs.map(\.stopGroup)).sorted() {
            let members = specs.filter { $0.stopGroup == group }.compactMap { running[$0.name] }
            await Self.stop(members, grace: stopGrace, poll: poll, say: say)
        }
    }

    /// SIGTERM to each, then wait; SIGKILL whatever is left after `grace`.
    private static func stop(
        _ children: [ChildProcess], grace: Duration, poll: Duration, say: (String) -> Void
    ) async {
        for child in children { child.signal(SIGTERM) }
        var left = children
        let deadline = ContinuousClock().now + grace
        while !left.isEmpty, ContinuousClock().now < deadline {
            left.removeAll { child in
                guard let exit = child.poll() else { return false }
                say("\(child.name) (pid \(child.pid)) \(exit)")
                return true
            }
            if !left.isEmpty { try? await Task.sleep(for: poll) }
        }
        for child in left {
            say("\(child.name) (pid \(child.pid)) did not stop within \(seconds(grace)): SIGKILL")
            child.signal(SIGKILL)
            while child.poll() == nil { try? await Task.sleep(for: poll) }
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", value)
    }
}
