import ArgumentParser
import Foundation
import LedgerCore
import LedgerStore

/// `leadledger run`: `serve` and `react` as two supervised child processes, for development and demos; with no
/// AmoCRM configured, a local sandbox CRM (`tools/fake_amocrm.py`) so a newcomer can post a lead and watch it arrive.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run serve and react as child processes (and a sandbox AmoCRM when none is configured).",
        discussion: """
            Restarts a child that ends (1 s, doubling to 30 s while it keeps dying within a minute) and stops all on \
            SIGTERM/SIGINT. Production runs serve and react under systemd or PM2 instead.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The sandbox AmoCRM script (default: tools/fake_amocrm.py under the working directory or the binary's).")
    var sandboxCRM: String?

    @Flag(help: "Start no sandbox AmoCRM even when none is configured (leads then wait in the queue).")
    var noSandbox = false

    func run() async throws {
        // The children validate the same settings; checking here first fails once, clearly, instead of restarting.
        let settings = try await global.settings()
        await (try global.openStore(settings, create: true)).close()
        let executable = Self.ownExecutable()
        let stop = StopSignal()
        let sources = stop.listen()
        defer { withExtendedLifetime(sources) {} }
        let say: (String) -> Void = { writeOut("leadledger run: \($0)\n") }
        // Raised here, the limit is what every child starts with (each raises its own too, for systemd and PM2).
        say("\(Descriptors.raiseSoftLimitToHard())")

        var environment = ProcessInfo.processInfo.environment
        var port = settings.port
        if port == 0, let picked = FreePort.pick(host: settings.host) {
            port = picked
            environment["LEADLEDGER_PORT"] = String(picked)
        }
        let passThrough = global.config.map { ["--config", $0] } ?? []
        var adopted: [ChildProcess] = []
        var specs = [
            Supervisor.Spec(name: "serve", executable: executable, arguments: ["serve"] + passThrough, stopGroup: 0),
            Supervisor.Spec(name: "react", executable: executable, arguments: ["react"] + passThrough, stopGroup: 0),
        ]
        if settings.amoCRM == nil && !noSandbox {
            if let sandbox = try await SandboxCRM.start(script: sandboxCRM ?? SandboxCRM.locate(beside: executable), say: say) {
                environment["LEADLEDGER_AMOCRM_BASE_URL"] = sandbox.baseURL
                environment["LEADLEDGER_AMOCRM_TOKEN"] = sandbox.token
                specs.append(sandbox.restartSpec)
                adopted.append(sandbox.process)
                say(
                    "sandbox AmoCRM (pid \(sandbox.process.pid)) on \(sandbox.baseURL); what it received: GET \(sandbox.baseURL)/_fake/state"
                )
            }
        }
        if port != 0 {
            let base = "http://\(settings.host):\(port)"
            say("dashboard: \(base)/ · leads: POST \(base)/api/leads · health: \(base)/api/health/detailed")
        }
        await Supervisor(specs: specs, adopted: adopted, environment: environment, say: say).run(until: stop)
    }

    /// This binary, so the children are the same build as the supervisor.
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
