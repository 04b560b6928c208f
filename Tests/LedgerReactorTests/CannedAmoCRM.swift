import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerOutbound
import LedgerTesting
import Synchronization

/// AmoCRM as a script for `CannedTransport`: it keeps the leads and notes it was sent, lists leads by `created_at`
/// and notes by lead, and answers each kind of call with the fault a test sets. No server, no real time: the reactor's
/// reconciliation and pause logic run against it in milliseconds.
///
/// Its `query` search finds nothing, ever (AmoCRM's full-text index lags and misses), so a test passes only if the
/// reactor reconciles by the `created_at` lists.
final class CannedAmoCRM: Sendable {
    enum Fault: Sendable, Equatable {
        case none
        /// The call is processed and its reply lost: the outcome is unknown, the lead or note exists.
        case lostReply
        /// The connection breaks after the request went out, before the server read it: unknown, nothing exists.
        case lostRequest
        /// AmoCRM's 400 without per-lead errors (code 244: rights or subscription), an account-wide refusal.
        case opaque400
        /// 429 without `Retry-After`, as AmoCRM sends it.
        case rateLimited
    }

    struct Lead: Sendable {
        var id: Int64
        var name: String
        var createdAt: Int64
    }

    struct Note: Sendable {
        var id: Int64
        var entityID: Int64
        var text: String
    }

    private struct State {
        var leads: [Lead] = []
        var notes: [Note] = []
        var createFault = Fault.none
        var noteFault = Fault.none
        var nextID: Int64 = 1000
    }

    private let state = Mutex(State())
    let clock: ManualClock
    let transport: CannedTransport

    init(clock: ManualClock) {
        self.clock = clock
        let box = Mutex<CannedAmoCRM?>(nil)
        transport = CannedTransport(clock: clock) { request, _ in
            guard let crm = box.withLock({ $0 }) else { return .refused }
            return crm.answer(request)
        }
        box.withLock { $0 = self }
    }

    var leads: [Lead] { state.withLock { $0.leads } }
    var notes: [Note] { state.withLock { $0.notes } }

    func failCreates(_ fault: Fault) { state.withLock { $0.createFault = fault } }
    func failNotes(_ fault: Fault) { state.withLock { $0.noteFault = fault } }

    /// Calls whose path starts with `prefix`, counted from the transport's log.
    func calls(_ prefix: String) -> Int { transport.requests(to: prefix).count }

    static let creates = AmoCRMAPI.complexLeadsPath
    static let lists = "/api/v4/leads?filter"
    static let searches = "/api/v4/leads?query="
    static let noteCalls = AmoCRMAPI.leadNotesPath
    static let probes = AmoCRMAPI.accountPath

    private func answer(_ request: OutboundRequest) -> HTTPExchange {
        let path = request.path
        if path.hasPrefix(Self.creates) { return create(request.body ?? []) }
        if path.hasPrefix(Self.noteCalls), request.method == .POST { return addNotes(request.body ?? []) }
        if path.hasPrefix(Self.noteCalls) { return listNotes(path) }
        if path.hasPrefix(Self.lists) { return listLeads(path) }
        if path.hasPrefix(Self.searches) { return .response(HTTPReply(status: 204, receivedAt: clock.now())) }
        if path.hasPrefix(Self.probes) {
            return .json(200, #"{"id": 1, "name": "Canned", "subdomain": "canned"}"#, at: clock)
        }
        return .json(404, #"{"title": "Not Found", "status": 404}"#, at: clock)
    }

    private func refusal(_ fault: Fault) -> HTTPExchange? {
        switch fault {
        case .none, .lostReply: nil
        case .lostRequest: .transportFailure(TransportFailure(.connectionLost, detail: "remoteConnectionClosed"))
        case .opaque400:
            .json(400, Self.opaqueRefusal, at: clock)
        case .rateLimited:
            .json(429, #"{"title": "Too Many Requests", "status": 429}"#, at: clock)
        }
    }

    /// What AmoCRM answers when the integration's user lacks rights or the subscription ended: no validation errors,
    /// only a code (the text of the real reply).
    static let opaqueRefusal = """
        {"title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400, \
        "detail": "Код ошибки 244. В случае повторного возникновения ошибки, обращайтесь в нашу техническую поддержку"}
        """

    private func create(_ body: [UInt8]) -> HTTPExchange {
        let fault = state.withLock { $0.createFault }
        if let failed = refusal(fault) { return failed }
        let sent = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] ?? []
        var echoed: [String] = []
        state.withLock { state in
            for lead in sent {
                state.nextID += 1
                let name = lead["name"] as? String ?? ""
                let createdAt = (lead["created_at"] as? NSNumber)?.int64Value ?? 0
                state.leads.append(Lead(id: state.nextID, name: name, createdAt: createdAt))
                let requestID = lead["request_id"] as? String ?? ""
                echoed.append(
                    #"{"id": \#(state.nextID), "contact_id": \#(state.nextID + 500_000), "request_id": ["\#(requestID)"], "merged": false}"#
                )
            }
        }
        if fault == .lostReply { return .lostReply }
        return .json(200, "[" + echoed.joined(separator: ",") + "]", at: clock)
    }

    private func addNotes(_ body: [UInt8]) -> HTTPExchange {
        let fault = state.withLock { $0.noteFault }
        if let failed = refusal(fault) { return failed }
        let sent = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] ?? []
        var echoed: [String] = []
        state.withLock { state in
            for note in sent {
                state.nextID += 1
                let entity = (note["entity_id"] as? NSNumber)?.int64Value ?? 0
                let text = (note["params"] as? [String: Any])?["text"] as? String ?? ""
                state.notes.append(Note(id: state.nextID, entityID: entity, text: text))
                let requestID = note["request_id"] as? String ?? ""
                echoed.append(#"{"id": \#(state.nextID), "entity_id": \#(entity), "request_id": "\#(requestID)"}"#)
            }
        }
        if fault == .lostReply { return .lostReply }
        return .json(200, #"{"_embedded": {"notes": ["# + echoed.joined(separator: ",") + "]}}", at: clock)
    }

    private func listLeads(_ path: String) -> HTTPExchange {
        let query = Self.query(path)
        let from = Int64(query["filter[created_at][from]"] ?? "") ?? .min
        let to = Int64(query["filter[created_at][to]"] ?? "") ?? .max
        let found = state.withLock { $0.leads }.filter { $0.createdAt >= from && $0.createdAt <= to }
        guard !found.isEmpty else { return .response(HTTPReply(status: 204, receivedAt: clock.now())) }
        let items = found.map { lead in
            let name = String(decoding: (try? JSONEncoder().encode(lead.name)) ?? Data(), as: UTF8.self)
            return #"{"id": \#(lead.id), "name": \#(name), "created_at": \#(lead.createdAt)}"#
        }
        return .json(200, #"{"_page": 1, "_embedded": {"leads": ["# + items.joined(separator: ",") + "]}}", at: clock)
    }

    private func listNotes(_ path: String) -> HTTPExchange {
        let entities = Set(
            path.split(separator: "&").compactMap { part -> Int64? in
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].removingPercentEncoding?.hasSuffix("filter[entity_id][]") == true else {
                    return nil
                }
                return Int64(pair[1])
            })
        let found = state.withLock { $0.notes }.filter { entities.contains($0.entityID) }
        guard !found.isEmpty else { return .response(HTTPReply(status: 204, receivedAt: clock.now())) }
        let items = found.map { note in
            let text = String(decoding: (try? JSONEncoder().encode(note.text)) ?? Data(), as: UTF8.self)
            return #"{"id": \#(note.id), "entity_id": \#(note.entityID), "note_type": "common", "params": {"text": \#(text)}}"#
        }
        return .json(200, #"{"_page": 1, "_embedded": {"notes": ["# + items.joined(separator: ",") + "]}}", at: clock)
    }

    private static func query(_ path: String) -> [String: String] {
        guard let start = path.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for part in path[path.index(after: start)...].split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if pair.count == 2 { result[pair[0]] = pair[1] }
        }
        return result
    }
}
