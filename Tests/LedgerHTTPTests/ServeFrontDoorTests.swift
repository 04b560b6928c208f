import Foundation
import LedgerTesting
import Testing

/// The front door of a real `serve`: every phase of a request has a deadline, connections have caps, headers have
/// bounds, the descriptor limit is read and shown, and the files are private. Timeouts are set to a second or two
/// so each test takes a few seconds; the margins are generous, since only "closed by the server, and not held past
/// its bound" is asserted, never a latency. One server at a time: each holds connections open on purpose.
@Suite(.serialized)
struct ServeFrontDoorTests {
    static let lead = #"{"name":"Анна","phone":"+7 916 000-00-01","email":"anna@example.ru"}"#

    private func started(_ settings: [String: String], shellPrefix: String? = nil) throws -> ServeProcess {
        let server = try ServeProcess(settings: settings, shellPrefix: shellPrefix)
        try server.start()
        return server
    }

    private func detailedProcess(_ server: ServeProcess) async throws -> [String: Any] {
        let (_, body) = try await server.get("/api/health/detailed")
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return try #require(object?["process"] as? [String: Any])
    }

    /// The value of one sample line of `/metrics`, e.g. `leadledger_http_connections_closed_total{reason="idle_timeout"}`.
    private func metric(_ server: ServeProcess, _ line: String) async throws -> Double? {
        let (_, body) = try await server.get("/metrics")
        return body.split(separator: "\n").first { $0.hasPrefix(line + " ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    private func leadRequest(_ body: String = lead) -> String {
        "POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// Sends `bytes` one every 200 ms until the server closes the connection; true when it did so before the last
    /// byte. A deadline that each byte pushed back would never close a connection that is never quiet for its bound.
    private func closedWhileTrickling(_ client: RawHTTPClient, _ bytes: some Sequence<UInt8>) async throws -> Bool {
        for byte in bytes {
            try await Task.sleep(for: .milliseconds(200))
            do { try client.send(String(UnicodeScalar(byte))) } catch { return true }
        }
        return client.readUntilClosed(within: .milliseconds(100)).closed
    }

    @Test func headersTrickledByteByByteAreCutAtTheHeaderBoundNotHeldByTheTrickle() async throws {
        let server = try started(["LEADLEDGER_HEADER_TIMEOUT_S": "1"])
        let slow = try RawHTTPClient(port: server.port)
        defer { slow.close() }
        try slow.send("POST /api/leads HTTP/1.1\r\nHost: x\r\n")
        // 60 bytes at 5 a second: twelve seconds of headers that never pause for a whole second.
        #expect(try await closedWhileTrickling(slow, Array(repeating: UInt8(ascii: "a"), count: 60)))
        #expect(try await metric(server, #"leadledger_http_connections_closed_total{reason="header_timeout"}"#) == 1)
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleBoundAndNotBefore() async throws {
        let server = try started(["LEADLEDGER_IDLE_TIMEOUT_S": "3"])
        let client = try RawHTTPClient(port: server.port)
        defer { client.close() }
        try client.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let early = client.readUntilClosed(within: .seconds(1))
        #expect(early.text.hasPrefix("HTTP/1.1 200"))
        #expect(!early.closed, "kept alive for a next request")
        let late = client.readUntilClosed(within: .seconds(6))
        #expect(late.closed)
        #expect(try await metric(server, #"leadledger_http_connections_closed_total{reason="idle_timeout"}"#) == 1)
    }

    @Test func aBodyTrickledOneByteAtATimeIsCutAtTheBodyBoundAndWritesNothing() async throws {
        let server = try started(["LEADLEDGER_BODY_TIMEOUT_S": "2"])
        let client = try RawHTTPClient(port: server.port)
        defer { client.close() }
        let body = Self.lead + String(repeating: " ", count: 200)
        try client.send(
            "POST /api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        #expect(try await closedWhileTrickling(client, Array(body.utf8.prefix(60))), "cut before the body was whole")
        #expect(try await metric(server, #"leadledger_http_connections_closed_total{reason="body_timeout"}"#) == 1)
        #expect(try await metric(server, "leadledger_log_received_leads") ?? 0 == 0, "nothing written for it")
    }

    @Test func responsesAClientNeverReadsAreAbandonedAfterTheSendBound() async throws {
        let server = try started(["LEADLEDGER_SEND_TIMEOUT_S": "2"])
        let client = try RawHTTPClient(port: server.port, receiveBuffer: 4096)
        defer { client.close() }
        // Pipelined requests for a large document, never read: the socket buffers fill and the server's writes wait.
        for _ in 0..<200 {
            do { try client.send("GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n") } catch { break }
        }
        var abandoned = false
        for _ in 0..<40 where !abandoned {
            try await Task.sleep(for: .milliseconds(250))
            abandoned = try await metric(server, #"leadledger_http_connections_closed_total{reason="send_timeout"}"#) == 1
        }
        #expect(abandoned)
        #expect(try await detailedProcess(server)["open_connections"] as? Int == 1, "only the health request's own")
    }

    /// Of `clients` opened together one over a cap, exactly one is answered 503 and closed: which one is the
    /// server's choice (connections are set up on several event loops), so all are watched.
    private func refusedOne(of clients: [RawHTTPClient]) -> [String] {
        var refusals: [String] = []
        for _ in 0..<50 where refusals.isEmpty {
            for client in clients {
                let (text, closed) = client.readUntilClosed(within: .milliseconds(100))
                if closed || !text.isEmpty { refusals.append(text) }
            }
        }
        return refusals
    }

    @Test func oneAddressOverItsCapIsAnswered503AtOnceWhileAnotherAddressStillPostsALead() async throws {
        let server = try started(["LEADLEDGER_MAX_CONNECTIONS_PER_IP": "3"])
        let clients = try (0..<4).map { _ in try RawHTTPClient(port: server.port, source: "127.0.0.2") }
        defer { for client in clients { client.close() } }
        let refusals = refusedOne(of: clients)
        #expect(refusals.count == 1, "\(refusals)")
        #expect(refusals.first?.hasPrefix("HTTP/1.1 503") == true)
        #expect(refusals.first?.contains("Retry-After: 1") == true)
        let other = try RawHTTPClient(port: server.port, source: "127.0.0.3")
        defer { other.close() }
        try other.send(leadRequest())
        #expect(other.readAll().hasPrefix("HTTP/1.1 201"))
        #expect(try await metric(server, #"leadledger_http_connections_refused_total{reason="per_ip"}"#) == 1)
    }

    @Test func theTotalCapRefusesTheNewestConnectionAndAClosedOneMakesRoom() async throws {
        let server = try started(["LEADLEDGER_MAX_CONNECTIONS": "3"])
        let clients = try (0..<4).map { _ in try RawHTTPClient(port: server.port) }
        let refusals = refusedOne(of: clients)
        #expect(refusals.count == 1, "\(refusals)")
        #expect(refusals.first?.hasPrefix("HTTP/1.1 503") == true)
        for client in clients { client.close() }
        var answer = ""
        for _ in 0..<50 where !answer.hasPrefix("HTTP/1.1 201") {
            try await Task.sleep(for: .milliseconds(100))
            let admitted = try RawHTTPClient(port: server.port)
            defer { admitted.close() }
            try? admitted.send(leadRequest())
            answer = admitted.readAll()
        }
        #expect(answer.hasPrefix("HTTP/1.1 201"), "room again once the held connections closed")
        #expect(try await metric(server, #"leadledger_http_connections_refused_total{reason="total"}"#) ?? 0 >= 1)
        #expect(try await metric(server, "leadledger_http_connections_max") == 3)
    }

    @Test func tooManyHeadersOrTooLargeOnesAnswer400AndClose() async throws {
        let server = try started(["LEADLEDGER_MAX_HEADERS": "100", "LEADLEDGER_MAX_HEADER_BYTES": "4096"])
        let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
        let flood = try RawHTTPClient(port: server.port)
        defer { flood.close() }
        try flood.send("GET /api/health HTTP/1.1\r\nHost: x\r\n\(many)\r\n")
        let floodAnswer = flood.readUntilClosed(within: .seconds(3))
        #expect(floodAnswer.text.hasPrefix("HTTP/1.1 400"))
        #expect(floodAnswer.closed)
        let large = try RawHTTPClient(port: server.port)
        defer { large.close() }
        try? large.send("GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 5000))\r\n\r\n")
        let largeAnswer = large.readUntilClosed(within: .seconds(3))
        #expect(largeAnswer.text.hasPrefix("HTTP/1.1 400"))
        #expect(largeAnswer.closed)
        let fine = (0..<90).map { "X-H\($0): v\r\n" }.joined()
        let within = try RawHTTPClient(port: server.port)
        defer { within.close() }
        try within.send("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(fine)\r\n")
        #expect(within.readUntilClosed(within: .seconds(3)).text.hasPrefix("HTTP/1.1 200"))
    }

    @Test func healthAndMetricsShowDescriptorsAndConnectionsAgainstTheirLimits() async throws {
        let server = try started([:], shellPrefix: "ulimit -n 1024")
        let process = try await detailedProcess(server)
        #expect(process["max_descriptors"] as? Int == 1024)
        #expect(process["max_connections"] as? Int == 896, "the limit less the reserve of 128")
        let open = try #require(process["open_descriptors"] as? Int)
        #expect(open > 3 && open < 200)
        #expect(process["open_connections"] as? Int == 1, "this request's own")
        #expect(try await metric(server, "leadledger_process_max_fds") == 1024)
        #expect(try await metric(server, "leadledger_process_open_fds") ?? 0 > 3)
    }

    @Test func aConnectionCapTheDescriptorLimitCannotHoldIsRefusedAtStartAndOneThatFitsStarts() throws {
        let tooMany = try ServeProcess(settings: ["LEADLEDGER_MAX_CONNECTIONS": "897"], shellPrefix: "ulimit -n 1024")
        #expect(throws: HarnessError.self) { try tooMany.start() }
        #expect(tooMany.standardError.contains("LEADLEDGER_MAX_CONNECTIONS"))
        #expect(tooMany.standardError.contains("1024"))
        let fits = try started(["LEADLEDGER_MAX_CONNECTIONS": "896"], shellPrefix: "ulimit -n 1024")
        #expect(fits.stop() == 0)
    }

    @Test func theLogAndItsReadModelsArePrivateWhateverTheUmask() async throws {
        let server = try started([:], shellPrefix: "umask 000")
        #expect(try await server.post(Self.lead).status == 201)
        try await Task.sleep(for: .seconds(1))
        for suffix in ["", "-wal", ".projections.sqlite", ".serve-status.json"] {
            let path = server.dbPath + suffix
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode == 0o600, "\(path): \(String(mode, radix: 8))")
        }
    }

    /// One lead from a client the proxy names, over a connection of its own; the answer's status line.
    private func postVia(_ server: ServeProcess, forwardedFor: String, phone: String) throws -> String {
        let body = #"{"name":"Анна","phone":"\#(phone)"}"#
        let client = try RawHTTPClient(port: server.port)
        defer { client.close() }
        try client.send(
            "POST /api/leads HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: \(forwardedFor)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        return String(client.readAll().prefix(12))
    }

    @Test func behindATrustedProxyEachForwardedClientHasItsOwnRateLimit() async throws {
        let server = try started([
            "LEADLEDGER_TRUSTED_PROXIES": "127.0.0.1", "LEADLEDGER_RATE_LIMIT_PER_MIN": "1", "LEADLEDGER_RATE_LIMIT_BURST": "1",
        ])
        #expect(try postVia(server, forwardedFor: "198.51.100.1", phone: "+79160000101") == "HTTP/1.1 201")
        #expect(try postVia(server, forwardedFor: "198.51.100.1", phone: "+79160000102") == "HTTP/1.1 429")
        #expect(try postVia(server, forwardedFor: "198.51.100.2", phone: "+79160000103") == "HTTP/1.1 201")
        #expect(
            try postVia(server, forwardedFor: "198.51.100.9, 198.51.100.1", phone: "+79160000104") == "HTTP/1.1 429",
            "what the client wrote left of the proxy's entry is not believed")
    }

    @Test func fromAPeerNoOneTrustsTheForwardedHeaderIsIgnored() async throws {
        let server = try started(["LEADLEDGER_RATE_LIMIT_PER_MIN": "1", "LEADLEDGER_RATE_LIMIT_BURST": "1"])
        #expect(try postVia(server, forwardedFor: "198.51.100.1", phone: "+79160000201") == "HTTP/1.1 201")
        #expect(try postVia(server, forwardedFor: "198.51.100.2", phone: "+79160000202") == "HTTP/1.1 429")
    }
}
