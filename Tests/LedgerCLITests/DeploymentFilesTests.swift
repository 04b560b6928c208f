import Foundation
import LedgerTesting
import Testing

/// The systemd units in `tools/systemd/` and the PM2 file in `tools/pm2/`: valid for their supervisor, and set up the
/// way the ledger needs (readiness and a watchdog, a graceful stop long enough to finish in-flight work, restarts with
/// back-off, a crash loop that ends, hardening).
struct DeploymentFilesTests {
    /// Keys newer than the systemd the tests may run on (Debian 12 has 252): it ignores them with a warning, and
    /// restarts at the fixed `RestartSec`. Any other warning fails the test.
    static let keysOfSystemd254 = ["RestartSteps", "RestartMaxDelaySec"]

    private func unit(_ name: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("tools/systemd/\(name)"), encoding: .utf8)
    }

    private func systemdVersion() throws -> Int {
        let result = try run("/usr/bin/systemd-analyze", ["--version"])
        let words = result.stdout.split(separator: " ")
        return words.count > 1 ? Int(words[1]) ?? 0 : 0
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
        let tolerated = try systemdVersion() < 254 ? Self.keysOfSystemd254 : []
        let complaints = result.stderr.split(separator: "\n").filter { line in
            !tolerated.contains { line.contains("Unknown key '\($0)'") || line.contains("Unknown key name '\($0)'") }
        }
        #expect(complaints.isEmpty, "systemd-analyze has no complaint: \(complaints)")
    }

    @Test(arguments: ["serve", "react"])
    func eachUnitIsANotifyServiceWithAWatchdogThatAlwaysRestartsWithBackoffAndStopsGracefully(command: String) throws {
        let text = try unit("leadledger-\(command).service")
        let lines = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for expected in [
            "ExecStart=/usr/local/bin/leadledger \(command)", "ExecStartPre=/usr/local/bin/leadledger check-config",
            "Type=notify", "NotifyAccess=main", "WatchdogSec=30", "Restart=always", "RestartSec=2", "RestartSteps=6",
            "RestartMaxDelaySec=60", "KillSignal=SIGTERM", "TimeoutStopSec=30", "StartLimitIntervalSec=600",
            "StartLimitBurst=10", "User=leadledger", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/leadledger", "UMask=0077", "LimitNOFILE=65536",
        ] {
            #expect(lines.contains(expected), "\(command): \(expected)")
        }
        #expect(lines.contains { $0.hasPrefix("MemoryMax=") }, "\(command): a memory cap")
    }

    /// Evaluated by node as PM2 loads it (`require`), so a syntax slip fails here, not on the server.
    @Test func thePM2FileRunsBothBinariesDirectlyWithTimeToStopBackoffAndALimit() throws {
        let path = packageRoot.appendingPathComponent("tools/pm2/ecosystem.config.js").path
        let node = ["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let nodePath = try #require(node, "node is not installed: make setup installs it")
        let result = try run(nodePath, ["-e", "process.stdout.write(JSON.stringify(require(process.argv[1])))", path])
        #expect(result.code == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let apps = try #require(object?["apps"] as? [[String: Any]])
        #expect(apps.compactMap { $0["args"] as? String }.sorted() == ["react", "serve"])
        for app in apps {
            #expect(app["script"] as? String == "/usr/local/bin/leadledger")
            #expect(app["interpreter"] as? String == "none", "a native binary, no Node interpreter")
            // PM2 sends SIGINT and kills 1.6 s later by default: too short to finish a group commit and an AmoCRM call.
            #expect((app["kill_timeout"] as? Int ?? 0) >= 30_000)
            #expect((app["exp_backoff_restart_delay"] as? Int ?? 0) >= 1000)
            #expect((app["max_restarts"] as? Int ?? 0) > 0, "a crash loop ends")
            #expect(app["min_uptime"] as? String != nil)
            #expect(app["max_memory_restart"] as? String != nil)
            #expect(app["log_date_format"] as? String != nil, "logs with dates")
            #expect(app["instances"] as? Int == 1)
        }
    }
}
