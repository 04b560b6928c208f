import LedgerOutbound

/// The meaning of `GET /api/v4/account`, the cheap authenticated read the circuit breaker uses to ask "is AmoCRM
/// back?" without risking a lead.
public enum ProbeReply: Sendable, Equatable {
    case reachable
    case failed(AmoCRMFailure)

    public static func classify(_ exchange: HTTPExchange) -> ProbeReply {
        switch exchange {
        case .transportFailure(let failure): .failed(AmoCRMFailure.readFailure(failure))
        case .response(let reply) where (200...299).contains(reply.status): .reachable
        case .response(let reply): .failed(AmoCRMFailure.classifyError(reply))
        }
    }
}
