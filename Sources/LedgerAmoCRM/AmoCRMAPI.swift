/// AmoCRM API v4 facts the wire format relies on (see `../shared/reference/crm-telegram-supervision.md` §1).
public enum AmoCRMAPI {
    /// `POST /api/v4/leads/complex` takes at most this many leads per request.
    public static let maxLeadsPerComplexRequest = 50
}
