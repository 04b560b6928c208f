import AsyncHTTPClient
import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import Logging
import Testing

@Suite struct AmoCRMClientTests {
    @Test func aCreateRoundTripSendsTheBodyWithTheTokenAndClassifiesTheReply() async throws {
        let lead = Fixture.lead(1)
        let json = #"[{"id": 101, "contact_id": 202, "request_id": ["\#(lead.leadID)"], "merged": false}]"#
        let server = try await CannedServer.start(.reply(Self.http(200, json)))
        let client = makeClient(port: server.port)
        let request = try ComplexLeadRequest(leads: [lead], mapping: LeadMapping())
        let reply = await client.createLeads(request)
        await client.shutdown()
        try await server.stop()
        #expect(
            reply == .created([CreatedLead(requestID: lead.leadID.description, crmLeadID: 101, crmContactID: 202, merged: false)])
        )
        let received = server.received.first ?? ""
        #expect(received.hasPrefix("POST /api/v4/leads/complex HTTP/1.1"))
        #expect(received.lowercased().contains("authorization: bearer test-token"))
        #expect(received.contains(lead.leadID.description))
    }

    @Test func aServerThatHangsUpAfterTheRequestGivesAnUnknownOutcome() async throws {
        let server = try await CannedServer.start(.hangUpAfterRequest)
        let client = makeClient(port: server.port)
        let reply = await client.createLeads(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: LeadMapping()))
        await client.shutdown()
        try await server.stop()
        guard case .unknownOutcome(_, nil) = reply else {
            Issue.record("expected an unknown outcome, got \(reply)")
            return
        }
    }

    @Test func aRefusedConnectionIsNotSent() async throws {
        // Bind, learn the port, close: nothing listens there any more.
        let server = try await CannedServer.start(.stayQuiet)
        let port = server.port
        try await server.stop()
        let client = makeClient(port: port)
        let reply = await client.createLeads(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: LeadMapping()))
        await client.shutdown()
        guard case .failed(.notSent(let failure)) = reply else {
            Issue.record("expected notSent, got \(reply)")
            return
        }
        #expect(!failure.requestMayHaveBeenReceived)
    }

    @Test func aSilentServerEndsInAnUnknownOutcomeAtTheDeadline() async throws {
        let server = try await CannedServer.start(.stayQuiet)
        let client = makeClient(port: server.port, requestTimeout: .seconds(1))
        let reply = await client.createLeads(try ComplexLeadRequest(leads: [Fixture.lead(1)], mapping: LeadMapping()))
        await client.shutdown()
        try await server.stop()
        guard case .unknownOutcome(_, nil) = reply else {
            Issue.record("expected an unknown outcome, got \(reply)")
            return
        }
    }

    @Test func aBodyOverTheLimitIsNotKeptInMemory() async throws {
        let big = String(repeating: "x", count: 64 * 1024)
        let server = try await CannedServer.start(.reply(Self.http(200, big)))
        let client = makeClient(port: server.port, maxReplyBodyBytes: 1024)
        let exchange = await client.send(.GET, path: AmoCRMAPI.accountPath)
        await client.shutdown()
        try await server.stop()
        guard case .response(let reply) = exchange else {
            Issue.record("expected a response, got \(exchange)")
            return
        }
        #expect(reply.bodyExceededLimit)
        #expect(reply.body.isEmpty)
        #expect(reply.status == 200)
    }

    @Test func aSearchAnswered204IsNotFound() async throws {
        let server = try await CannedServer.start(.reply("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"))
        let client = makeClient(port: server.port)
        let reply = await client.searchLead(ledgerLeadID: Fixture.leadID(1).description)
        await client.shutdown()
        try await server.stop()
        #expect(reply == .notFound)
        #expect(server.received.first?.hasPrefix("GET /api/v4/leads?query=\(Fixture.leadID(1))&with=contacts&limit=50 ") == true)
    }

    @Test func clientErrorsMapToTheRightSideOfTheSentLine() {
        let cases: [(HTTPClientError, Bool, TransportFailure.Kind)] = [
            (.connectTimeout, false, .connectTimeout), (.deadlineExceeded, false, .connectTimeout),
            (.getConnectionFromPoolTimeout, false, .connectTimeout), (.remoteConnectionClosed, false, .connectFailed),
            (.deadlineExceeded, true, .readTimeout), (.readTimeout, true, .readTimeout),
            (.remoteConnectionClosed, true, .connectionLost), (.cancelled, true, .connectionLost),
            (.cancelled, false, .connectFailed),
        ]
        for (error, headSent, kind) in cases {
            #expect(TransportFailure.classify(error, requestHeadSent: headSent).kind == kind, "\(error), head sent: \(headSent)")
        }
        struct Unknown: Error {}
        #expect(TransportFailure.classify(Unknown(), requestHeadSent: true).requestMayHaveBeenReceived)
    }

    // MARK: - Helpers

    private func makeClient(
        port: Int, requestTimeout: Duration = .seconds(10), maxReplyBodyBytes: Int = AmoCRMAPI.maxReplyBodyBytes
    )
        -> AmoCRMClient
    {
        let configuration = AmoCRMClientConfiguration(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, connectTimeout: .seconds(2), requestTimeout: requestTimeout,
            maxReplyBodyBytes: maxReplyBodyBytes)
        return AmoCRMClient(
            configuration: configuration, accessToken: { Secret("test-token") }, logger: Logger(label: "test.amocrm"))
    }

    private static func http(_ status: Int, _ body: String) -> String {
        "HTTP/1.1 \(status) OK\r\nContent-Type: application/hal+json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    }
}
