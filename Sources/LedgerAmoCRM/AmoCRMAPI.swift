import Foundation

/// AmoCRM API v4 facts the wire format relies on: AmoCRM's v4 documentation for `leads/complex`, search and
/// its 7 requests/s limit.
///
/// Kept in one place so a limit changed by AmoCRM is changed once, and so the reactor sizes its batches and its
/// pacing from the same numbers the request builder enforces.
public enum AmoCRMAPI {
    /// `POST /api/v4/leads/complex` takes at most this many leads per request.
    public static let maxLeadsPerComplexRequest = 50
    /// AmoCRM refuses an entity (lead, contact) carrying more custom-field values than this.
    public static let maxCustomFieldValuesPerEntity = 40
    /// AmoCRM's documented rate limit per account; the pacer's default.
    public static let requestsPerSecond = 7
    /// The largest reply body read into memory. A bigger body is not parsed: a hostile or broken server must not be
    /// able to exhaust memory, and no legitimate reply to our calls comes near it.
    public static let maxReplyBodyBytes = 1 << 20
    /// The longest message extracted from a reply, in UTF-8 bytes. Messages end up in `SyncFailed` events stored
    /// forever in clear, so they are short and never carry the request body.
    public static let maxMessageBytes = 500
    /// The longest lead name written; AmoCRM's own limit is not documented, 255 is the common database bound.
    public static let maxLeadNameCharacters = 255
    /// Leads asked for by one reconcile search; a ledger id is unique, so more than a handful means duplicates.
    public static let searchLimit = 50

    /// Leads per page of a reconcile list: AmoCRM's largest `limit`.
    public static let listPageLimit = 250

    /// Creates leads with their contacts in one call.
    public static let complexLeadsPath = "/api/v4/leads/complex"
    /// Lists and searches leads.
    public static let leadsPath = "/api/v4/leads"
    /// Adds notes to existing leads.
    public static let leadNotesPath = "/api/v4/leads/notes"
    /// The account itself: the cheapest authenticated read, used to probe whether AmoCRM is back.
    public static let accountPath = "/api/v4/account"
    /// OAuth 2 token exchange (authorization code or refresh token).
    public static let accessTokenPath = "/oauth2/access_token"
    /// The lead pipelines with their stages: where `LEADLEDGER_AMOCRM_PIPELINE_ID` and `_STATUS_ID` must point.
    public static let pipelinesPath = "/api/v4/leads/pipelines"
    /// Pages of custom fields listed by `check-amocrm`: 20 pages of 250 is far beyond any real account.
    public static let maxCustomFieldPages = 20

    /// `GET /api/v4/{leads|contacts}/custom_fields?page=…&limit=250`: one page of an entity's custom fields.
    public static func customFieldListPath(_ entity: CustomFieldEntity, page: Int) -> String {
        "/api/v4/\(entity.rawValue)/custom_fields?page=\(page)&limit=\(listPageLimit)"
    }

    /// `GET /api/v4/leads?query=<needle>&with=contacts&limit=50`: the full-text search used to reconcile a lead whose
    /// create call had an unknown outcome. The needle is a ledger lead id, which is written into every CRM lead's name.
    public static func leadSearchPath(query: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "\(leadsPath)?query=\(encoded)&with=contacts&limit=\(searchLimit)"
    }

    /// `GET /api/v4/leads?filter[created_at][from]=…&filter[created_at][to]=…&page=…&limit=250&with=contacts`: one
    /// page of the leads created in a window (unix seconds, both ends included), in id order. Brackets are
    /// percent-encoded, as a URL's query requires.
    public static func leadListPath(createdFrom: Int64, createdTo: Int64, page: Int) -> String {
        "\(leadsPath)?filter%5Bcreated_at%5D%5Bfrom%5D=\(createdFrom)&filter%5Bcreated_at%5D%5Bto%5D=\(createdTo)"
            + "&page=\(page)&limit=\(listPageLimit)&order%5Bid%5D=asc&with=contacts"
    }

    /// `GET /api/v4/leads/notes?filter[entity_id][]=…&filter[note_type]=common&page=…&limit=250`: one page of the
    /// common notes on the given leads. AmoCRM's notes list takes one id or an array of ids in `filter[entity_id]`
    /// and `common` in `filter[note_type]` (AmoCRM API v4, "Notes": list of notes by entity type).
    public static func noteListPath(crmLeadIDs: [Int64], page: Int) -> String {
        let ids = crmLeadIDs.map { "filter%5Bentity_id%5D%5B%5D=\($0)" }.joined(separator: "&")
        return "\(leadNotesPath)?\(ids)&filter%5Bnote_type%5D=common&page=\(page)&limit=\(listPageLimit)"
    }

    /// Notes per `POST /api/v4/leads/notes` call, and CRM leads per note list: a bound of ours, the size of a create
    /// batch, so one create's notes go in one call.
    public static let maxNotesPerRequest = maxLeadsPerComplexRequest
}
