import Foundation
import LedgerTesting
import Testing

/// The systemd units and the PM2 file in `deploy/`: valid for their supervisor, and set up the way the ledger needs
/// (a graceful stop long enough to finish in-flight work, restarts with a delay, a crash loop that ends).
struct DeploymentFilesTests {
    private func unit(_ name: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("deploy/systemd/\(name)"), encoding: .utf8)
    }

    @Test func theSystemdUnitsVerifyWithTheRealBinary() throws {
        let directory = try TemporaryDirectory(prefix: "leadledger-units")
        let binary = try builtProduct("leadledger")
        var paths: [String] = []
        for name in ["leadledger-serve.service", "leadledger-react.service"] {
            let path = directory.file(name)
            try unit(name).replacingOccurrences(of: "/usr/local/bin/leadledger", with: binary)
                .write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let result = try run("/usr/bin/systemd-analyze", ["verify", "--man=no"] + paths, directory: directory.path)
        #expect(result.code == 0, "\(result)")
        #expect(result.stderr.isEmpty, "systemd-analyze has no complaint: \(result.stderr)")
    }

    @Test(arguments: ["serve", "react"])
    func eachUnitRunsItsCommandRestartsOnFailureAndStopsGracefully(command: String) throws {
        let text = try unit("leadledger-\(command).service")
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for expected in [
            "ExecStart=/usr/local/bin/leadledger \(command)", "ExecStartPre=/usr/local/bin/leadledger check-config",
            "Restart=on-failure", "RestartSec=2", "KillSignal=SIGTERM", "TimeoutStopSec=30", "StartLimitIntervalSec=600",
            "StartLimitBurst=10",
        ] {
            #expect(lines.contains(expected), "\(command): \(expected)")
        }
    }

    @Test func thePM2FileRunsTheBinaryDirectlyWithTimeToStopAndBackoff() throws {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("deploy/pm2/ecosystem.config.json"))
        let apps = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["apps"] as? [[String: Any]])
        #expect(apps.compactMap { $0["args"] as? String }.sorted() == ["react", "serve"])
        for app in apps {
            #expect(app["interpreter"] as? String == "none", "a native binary, no Node interpreter")
            // PM2 sends SIGINT and kills 1.6 s later by default: too short to finish a group commit and an AmoCRM call.
            #expect((app["kill_timeout"] as? Int ?? 0) >= 30_000)
            #expect((app["exp_backoff_restart_delay"] as? Int ?? 0) >= 1000)
        }
    }
}
