import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// `leadledger serve` as a landing page sees it: the real binary on 127.0.0.1, a real log file.
@Suite(.serialized)
struct ServeIngestTests {
    static let lead = #"{"name":"Иван Петров","phone":"8 (916) 123-45-67","email":"ivan@example.ru","utm_source":"yandex"}"#

    /// Leads in the log (`serve` also records its own starts and stops, which are not what these tests count).
    private func count(_ server: ServeProcess) throws -> Int64 {
        Int64(try EventLog.open(path: server.dbPath).events(EventQuery(type: .leadReceived, limit: 10_000)).count)
    }

    @Test func anAcceptedLeadIsInTheLogWithTheReceiptItWasGiven() async throws {
        let server = try ServeProcess()
        try server.start()
        let (status, json) = try await server.post(Self.lead)
        #expect(status == 201)
        #expect(json["status"] as? String == "accepted")
        #expect(Set(json.keys) == ["hash", "lead_id", "seq", "status"], "the receipt is these four fields, no more")
        let seq = try #require(json["seq"] as? Int)
        let stored = try #require(
            try EventLog.open(path: server.dbPath).events(EventQuery(afterSeq: Int64(seq) - 1, limit: 1)).first)
        #expect(stored.hash == json["hash"] as? String)
        #expect(stored.stream == json["lead_id"] as? String)
        #expect(server.stop() == 0)
    }

    @Test func aPlainHTMLFormInCyrillicIsAccepted() async throws {
        let server = try ServeProcess()
        try server.start()
        let form = "name=%D0%90%D0%BD%D0%BD%D0%B0&phone=%2B7+916+123+45+67&form_id=main"
        let (status, json) = try await server.post(form, contentType: "application/x-www-form-urlencoded")
        #expect(status == 201)
        server.stop()
        let log = try EventLog.open(path: server.dbPath)
        let first = try #require(try log.events(EventQuery(type: .leadReceived, limit: 1)).first)
        guard case .leadReceived(let received) = try first.decode() else { throw HarnessError(message: "not a lead") }
        #expect(received.leadID.description == json["lead_id"] as? String)
        #expect(try log.personalData(of: received) == .available(PersonalData(name: "Анна", phone: "+79161234567")))
    }

    @Test func theSameIdempotencyKeyAnswersTheOriginalReceiptEvenAfterARestart() async throws {
        let server = try ServeProcess()
        try server.start()
        let first = try await server.post(Self.lead, idempotencyKey: "order-42")
        let again = try await server.post(Self.lead, idempotencyKey: "order-42")
        #expect(first.status == 201)
        #expect(again.status == 200)
        #expect(again.json["lead_id"] as? String == first.json["lead_id"] as? String)
        server.stop()
        try server.start()
        let afterRestart = try await server.post(Self.lead, idempotencyKey: "order-42")
        #expect(afterRestart.status == 200)
        #expect(afterRestart.json["hash"] as? String == first.json["hash"] as? String)
        server.stop()
        #expect(try count(server) == 1)
    }

    @Test func theSameKeyWithADifferentBodyIsRefusedAndWritesNothing() async throws {
        let server = try ServeProcess()
        try server.start()
        _ = try await server.post(Self.lead, idempotencyKey: "k")
        let conflict = try await server.post(#"{"phone":"+79990000000"}"#, idempotencyKey: "k")
        #expect(conflict.status == 422)
        #expect(conflict.json["field"] as? String == "Idempotency-Key")
        server.stop()
        #expect(try count(server) == 1)
    }

    @Test func badRequestsGetTheirStatusAndWriteNothing() async throws {
        let server = try ServeProcess()
        try server.start()
        let cases: [(body: String, contentType: String, key: String?, status: Int, field: String?)] = [
            (#"{"name":"no contact"}"#, "application/json", nil, 422, "phone"),
            (#"{"phone":"12"}"#, "application/json", nil, 422, "phone"),
            (#"{"phone":"+79161234567","email":"not-an-email"}"#, "application/json", nil, 422, "email"),
            (#"{"phone":"#, "application/json", nil, 400, "phone"),
            ("phone=+79161234567", "text/plain", nil, 415, nil),
            (String(repeating: "x", count: 65_537), "application/json", nil, 413, nil),
            (Self.lead, "application/json", String(repeating: "k", count: 256), 400, "Idempotency-Key"),
        ]
        for item in cases {
            let (status, json) = try await server.post(item.body, contentType: item.contentType, idempotencyKey: item.key)
            #expect(status == item.status, "\(item.body.prefix(40))")
            #expect(json["error"] is String)
            #expect(json["field"] as? String == item.field)
        }
        server.stop()
        #expect(try count(server) == 0)
    }

    @Test func aDoubleClickIsOneLead() async throws {
        let server = try ServeProcess()
        try server.start()
        let first = try await server.post(Self.lead)
        let second = try await server.post(Self.lead)
        #expect(first.status == 201)
        #expect(second.status == 200)
        #expect(second.json["lead_id"] as? String == first.json["lead_id"] as? String)
        server.stop()
        #expect(try count(server) == 1)
    }

    @Test func theBodyLimitHoldsOnBothSidesOfItsBoundary() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_MAX_BODY_BYTES": "1024"])
        try server.start()
        let head = #"{"phone":"+79161234567","comment":""#
        let tail = #""}"#
        let exact = head + String(repeating: "a", count: 1024 - head.utf8.count - tail.utf8.count) + tail
        #expect(exact.utf8.count == 1024)
        #expect(try await server.post(exact).status == 201)
        let over = head + String(repeating: "b", count: 1025 - head.utf8.count - tail.utf8.count) + tail
        #expect(try await server.post(over).status == 413)
        server.stop()
        #expect(try count(server) == 1)
    }

    /// Another process holds the write lock past the busy timeout: ingest answers 503 (never 2xx), stays up, and
    /// takes leads again once the lock is gone.
    @Test func aLockedLogAnswers503AndRecoversByItself() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_BUSY_TIMEOUT_MS": "200"])
        try server.start()
        #expect(try await server.post(#"{"phone":"+79160000001"}"#).status == 201)
        // A separate process (Python's sqlite3) holds BEGIN IMMEDIATE until told to roll back.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); "
                + "print('locked', flush=True); sys.stdin.readline(); c.execute('ROLLBACK')",
            server.dbPath,
        ]
        let input = Pipe()
        let output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        let holderExit = try ProcessExit.launch(holder)
        let ready = output.fileHandleForReading.availableData
        #expect(String(decoding: ready, as: UTF8.self).hasPrefix("locked"))
        let locked = try await server.post(#"{"phone":"+79160000002"}"#)
        #expect(locked.status == 503)
        #expect(locked.json["error"] is String)
        input.fileHandleForWriting.write(Data("go\n".utf8))
        await holderExit.exited()
        #expect(try await server.post(#"{"phone":"+79160000003"}"#).status == 201)
        #expect(try await server.get("/api/health").status == 200)
        server.stop()
        #expect(try count(server) == 2)
    }

    @Test func aClientOverItsRateGets429WithRetryAfterAndWritesNothing() async throws {
        let server = try ServeProcess(settings: ["LEADLEDGER_RATE_LIMIT_PER_MIN": "1", "LEADLEDGER_RATE_LIMIT_BURST": "2"])
        try server.start()
        #expect(try await server.post(#"{"phone":"+79160000001"}"#).status == 201)
        #expect(try await server.post(#"{"phone":"+79160000002"}"#).status == 201)
        let limited = try await server.request(
            "POST", "/api/leads", headers: ["Content-Type": "application/json"], body: #"{"phone":"+79160000003"}"#)
        #expect(limited.status == 429)
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
        server.stop()
        #expect(try count(server) == 2)
    }

    @Test func concurrentPostsKeepTheChainIntact() async throws {
        let server = try ServeProcess()
        try server.start()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for number in 0..<100 {
                group.addTask {
                    try await server.post(#"{"phone":"+7916\#(String(format: "%07d", number))"}"#, idempotencyKey: "c-\(number)")
                        .status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 })
        server.stop()
        let report = try EventLog.open(path: server.dbPath).verify()
        #expect(report.isIntact)
        #expect(report.eventsChecked == 102, "100 leads, serve's ProcessStarted and its ProcessStopped")
    }

    @Test func aLeadAcknowledgedJustBeforeSIGKILLIsThereAfterRestart() async throws {
        let server = try ServeProcess()
        try server.start()
        let (status, json) = try await server.post(Self.lead, idempotencyKey: "killed")
        #expect(status == 201)
        server.stop(SIGKILL)
        let log = try EventLog.open(path: server.dbPath)
        #expect(try log.receipt(forIdempotencyKey: "killed")?.leadID.description == json["lead_id"] as? String)
        #expect(try log.verify().isIntact)
    }

    /// SIGTERM arrives while a request's body is still being sent: the server finishes that request (201, durable)
    /// before it exits cleanly.
    @Test func gracefulShutdownFinishesAnInFlightRequest() async throws {
        let server = try ServeProcess()
        try server.start()
        let body = #"{"phone":"+79161234567","comment":"sent in two parts"}"#
        let client = try RawHTTPClient(port: server.port)
        defer { client.close() }
        let split = body.index(body.startIndex, offsetBy: 20)
        try client.send(
            "POST /api/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body[..<split]))
        try await Task.sleep(for: .milliseconds(300))
        server.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        try client.send(String(body[split...]))
        let response = client.readAll()
        #expect(response.hasPrefix("HTTP/1.1 201"))
        #expect(server.stop() == 0)
        #expect(try count(server) == 1)
    }

    @Test func healthAnswersOK() async throws {
        let server = try ServeProcess()
        try server.start()
        let (status, body) = try await server.get("/api/health")
        #expect(status == 200)
        #expect(body == #"{"status":"ok"}"#)
        #expect(server.stop(SIGINT) == 0)
    }
}
