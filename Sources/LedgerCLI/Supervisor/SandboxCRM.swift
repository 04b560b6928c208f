import Foundation

/// The fake AmoCRM from `tools/` started as `run`'s sandbox CRM, on 127.0.0.1 only, with AmoCRM's 7 requests/s limit.
struct SandboxCRM {
    let baseURL: String
    let token: String
    /// The running sandbox, for the supervisor to adopt.
    let process: ChildProcess
    /// How the supervisor restarts it if it dies: on the same port, so `react`'s setting stays right.
    let restartSpec: Supervisor.Spec

    static let scriptPath = "tools/fake_amocrm.py"

    /// `tools/fake_amocrm.py` under the working directory, or under the binary's directory or one of its parents
    /// (`.build/debug/leadledger` lives three levels below the package).
    static func locate(beside executable: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.path)
            directory.deleteLastPathComponent()
        }
        return candidates.map { URL(fileURLWithPath: $0).appendingPathComponent(scriptPath).path }
            .first { FileManager.default.isReadableFile(atPath: $0) }
    }

    /// Starts it and waits (at most 10 s) for its port. Nil, with the reason said, when there is no script.
    static func start(script: String?, say: (String) -> Void) async throws -> SandboxCRM? {
        guard let script, FileManager.default.isReadableFile(atPath: script) else {
            say("no sandbox AmoCRM (\(script ?? scriptPath) not found): leads wait in the queue")
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadledger-sandbox-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let portFile = directory.appendingPathComponent("port").path
        let token = "sandbox-\(UUID().uuidString.lowercased())"
        let common = ["python3", script, "--host", "127.0.0.1", "--token", token, "--rate-limit", "7"]
        let first: ChildProcess
        do {
            first = try ChildProcess.spawn(
                name: "sandbox-crm", executable: "/usr/bin/env", arguments: common + ["--port", "0", "--port-file", portFile],
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ExitStatus.runtime("run: \(error)")
        }
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                let spec = Supervisor.Spec(
                    name: "sandbox-crm", executable: "/usr/bin/env", arguments: common + ["--port", "\(port)"], stopGroup: 1)
                return SandboxCRM(baseURL: "http://127.0.0.1:\(port)", token: token, process: first, restartSpec: spec)
            }
            if let exit = first.poll() {
                throw ExitStatus.runtime(
                    "run: the sandbox AmoCRM (python3 \(script)) \(exit) at start; it needs python3 on PATH, or run with --no-sandbox"
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        first.signal(SIGKILL)
        _ = first.poll()
        throw ExitStatus.runtime("run: the sandbox AmoCRM did not report its port within 10 s")
    }
}
