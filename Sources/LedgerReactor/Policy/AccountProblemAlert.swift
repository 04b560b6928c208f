import LedgerAmoCRM

/// The alert text for an account-wide refusal: it names the setting to fix, or the account problem to solve, because
/// the owner cannot act on "400 Bad Request".
enum AccountProblemAlert {
    static func text(_ problem: AccountProblem) -> String {
        switch problem {
        case .opaqueRefusal(let message):
            "AmoCRM refuses to create leads for the whole account (\(message)): the integration's user lacks the right to add leads, or the subscription has ended; sending is paused and resumes by itself once AmoCRM accepts leads again"
        case .configuredID(let id, let path):
            "AmoCRM does not know the configured \(id.description) (validation error at \(path)): check \(setting(id)); sending is paused: it resumes by itself once AmoCRM accepts the id (tried every LEADLEDGER_AMOCRM_BAN_PROBE_S), or when the setting is fixed and the reactor restarted"
        }
    }

    /// The setting that holds the refused id.
    static func setting(_ id: ConfiguredID) -> String {
        switch id {
        case .pipeline: "LEADLEDGER_AMOCRM_PIPELINE_ID"
        case .status: "LEADLEDGER_AMOCRM_STATUS_ID (it must be a stage of the configured pipeline)"
        case .responsibleUser: "LEADLEDGER_AMOCRM_RESPONSIBLE_USER_ID"
        case .leadField(let id): "LEADLEDGER_AMOCRM_FIELDS" + (id.map { " (the entry =\($0))" } ?? "")
        case .contactField: "the account's contact fields: PHONE and EMAIL must exist as phone and email fields"
        }
    }
}
