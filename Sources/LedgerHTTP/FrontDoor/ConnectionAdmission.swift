import LedgerCore
import Synchronization

/// Who may hold an open connection: at most `total` at once, and at most `perClient` from one client address (IPv6:
/// one /64), so that one host's slow or idle connections cannot take the slots real visitors need. Trusted proxies
/// carry many visitors each and are held to the total only. The newest connection over a cap is the one refused: it
/// is answered and closed at once, and the accepting loop never waits.
///
/// Shared by every event loop; the counts are bounded by the caps themselves (one entry per client with a connection
/// open, at most `total` of them).
final class ConnectionAdmission: Sendable {
    struct Limits: Sendable {
        var total: Int
        var perClient: Int
        var trustedProxies: [AddressRange] = []
    }

    /// Why a connection was refused; the raw value is the metric label.
    enum Refusal: String, CaseIterable, Sendable {
        case total
        case perClient = "per_ip"
    }

    /// An admitted connection's place, given back when it closes.
    struct Ticket: Sendable {
        fileprivate let client: String?
    }

    let limits: Limits
    private let state = Mutex<(open: Int, byClient: [String: Int])>((0, [:]))

    init(limits: Limits) { self.limits = limits }

    /// Connections open now.
    var open: Int { state.withLock { $0.open } }

    /// A ticket, or why not. `peer` is the socket's address; nil (a Unix socket, say) counts toward the total only.
    func admit(peer: NetworkAddress?) -> Result<Ticket, RefusalError> {
        let client = peer.flatMap { address in
            limits.trustedProxies.contains { $0.contains(address) } ? nil : address.clientKey
        }
        return state.withLock { state in
            guard state.open < limits.total else { return .failure(RefusalError(reason: .total)) }
            if let client {
                let held = state.byClient[client, default: 0]
                guard held < limits.perClient else { return .failure(RefusalError(reason: .perClient)) }
                state.byClient[client] = held + 1
            }
            state.open += 1
            return .success(Ticket(client: client))
        }
    }

    func release(_ ticket: Ticket) {
        state.withLock { state in
            state.open -= 1
            if let client = ticket.client {
                let held = state.byClient[client, default: 1] - 1
                state.byClient[client] = held > 0 ? held : nil
            }
        }
    }

    struct RefusalError: Error {
        let reason: Refusal
    }
}
