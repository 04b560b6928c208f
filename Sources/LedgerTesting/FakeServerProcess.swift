import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One of the fakes in `tools/` (`fake_amocrm.py`, `fake_telegram.py`) on 127.0.0.1 and a free port
/// (`--port 0 --port-file`), with its control API. One launcher for every test target, so a fix to how the fakes are
/// started or asked reaches them all.
public final class FakeServerProcess: @unchecked Sendable {
    // @unchecked Sendable: used by the one test that owns it.
    private let process = Process()
    private let exit: ProcessExit
    private let directory: TemporaryDirectory
    public private(set) var port = 0

    /// Starts `python3 <script> --port 0 --port-file … <arguments>` and waits (at most 10 s) for its port.
    public init(script: String, arguments: [String]) throws {
        directory = try TemporaryDirectory(prefix: "leadledger-fake")
        let portFile = directory.file("port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", packageRoot.appendingPathComponent(script).path, "--port", "0", "--port-file", portFile]
            + arguments
        process.standardOutput = FileHandle.nullDevice
        exit = try ProcessExit.launch(process)
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
        throw FakeServerError(message: "\(script) did not start within 10 s")
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `GET /_fake/state`.
    public func state() async throws -> [String: Any] {
        guard let url = URL(string: "\(baseURL)/_fake/state") else { throw FakeServerError(message: "bad url") }
        let (data, _) = try await URLSession.shared.data(from: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FakeServerError(message: "state is not a JSON object")
        }
        return object
    }

    /// `POST /_fake/PATH` with a JSON body (a fault mode, a seeded lead); the status and the JSON answer.
    @discardableResult
    public func control(_ path: String, _ body: [String: Any]) async throws -> (status: Int, body: [String: Any]) {
        guard let url = URL(string: "\(baseURL)/_fake/\(path)") else { throw FakeServerError(message: "bad url") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        return (
            (response as? HTTPURLResponse)?.statusCode ?? 0,
            (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        )
    }

    public func stop() {
        if !exit.hasEnded {
            process.terminate()
            exit.wait()
        }
    }

    deinit { stop() }
}

/// A fake could not be started or asked.
public struct FakeServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// `tools/fake_telegram.py`, with the chat it knows and the one it migrates to.
public final class FakeTelegramProcess: Sendable {
    public let server: FakeServerProcess
    public let token: String
    public static let chatID: Int64 = -1001
    public static let migratedChatID: Int64 = -100_999

    public init(token: String = "123:fake") throws {
        self.token = token
        server = try FakeServerProcess(
            script: "tools/fake_telegram.py",
            arguments: ["--token", token, "--chat-id", "\(Self.chatID)", "--migrate-to-chat-id", "\(Self.migratedChatID)"])
    }

    public var port: Int { server.port }
    public var baseURL: String { server.baseURL }

    public func state() async throws -> [String: Any] { try await server.state() }

    /// The messages the fake delivered: `text` as sent (markup included) and `parse_mode`.
    public func messages() async throws -> [[String: Any]] {
        try await state()["messages"] as? [[String: Any]] ?? []
    }

    /// The settings that point LeadLedger at this fake.
    public var settings: [String: String] {
        [
            "LEADLEDGER_TELEGRAM_API_URL": baseURL, "LEADLEDGER_TELEGRAM_BOT_TOKEN": token,
            "LEADLEDGER_TELEGRAM_CHAT_ID": "\(Self.chatID)",
        ]
    }

    /// `POST /_fake/mode` with `{"mode": M, ...params}`.
    public func setMode(_ mode: String, _ params: [String: Any] = [:]) async throws {
        let answer = try await server.control("mode", params.merging(["mode": mode]) { $1 })
        guard answer.status == 200 else { throw FakeServerError(message: "the fake refused mode \(mode)") }
    }

    public func stop() { server.stop() }
}
