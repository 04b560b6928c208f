import Foundation
import LedgerTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

// A copy of LedgerTelegramTests' harness (test targets cannot share files), for the reactor's delivery tests.
/// `tools/fake_telegram.py` on 127.0.0.1 and a free port (`--port 0 --port-file`), with its control API.
final class FakeTelegramProcess: @unchecked Sendable {
    // @unchecked Sendable: used by the one test that owns it.
    private let process = Process()
    private let directory: TemporaryDirectory
    private(set) var port = 0
    let token: String
    static let chatID: Int64 = -1001
    static let migratedChatID: Int64 = -100_999

    init(token: String = "123:fake") throws {
        self.token = token
        directory = try TemporaryDirectory(prefix: "leadledger-fake-telegram")
        let portFile = directory.file("port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", packageRoot.appendingPathComponent("tools/fake_telegram.py").path, "--port", "0", "--port-file", portFile,
            "--token", token, "--chat-id", "\(Self.chatID)", "--migrate-to-chat-id", "\(Self.migratedChatID)",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                self.port = port
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        throw HarnessError(message: "the fake Telegram did not start")
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `GET /_fake/state`.
    func state() async throws -> [String: Any] {
        guard let url = URL(string: "\(baseURL)/_fake/state") else { throw HarnessError(message: "bad url") }
        let (data, _) = try await URLSession.shared.data(from: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError(message: "state is not a JSON object")
        }
        return object
    }

    /// The messages the fake delivered: `text` as sent (markup included) and `parse_mode`.
    func messages() async throws -> [[String: Any]] {
        try await state()["messages"] as? [[String: Any]] ?? []
    }

    /// The settings that point LeadLedger at this fake.
    var settings: [String: String] {
        [
            "LEADLEDGER_TELEGRAM_API_URL": baseURL, "LEADLEDGER_TELEGRAM_BOT_TOKEN": token,
            "LEADLEDGER_TELEGRAM_CHAT_ID": "\(Self.chatID)",
        ]
    }

    /// `POST /_fake/mode` with `{"mode": M, ...params}`.
    func setMode(_ mode: String, _ params: [String: Any] = [:]) async throws {
        guard let url = URL(string: "\(baseURL)/_fake/mode") else { throw HarnessError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: params.merging(["mode": mode]) { $1 })
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw HarnessError(message: "the fake refused mode \(mode)")
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
