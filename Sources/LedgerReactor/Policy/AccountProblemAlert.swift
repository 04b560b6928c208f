import LedgerAmoCRM
import LedgerCore

/// The alert text for an account-wide refusal: it names the setting to fix, or the account problem to solve, because
/// the owner cannot act on "400 Bad Request". The words are `AlertMessages`'; this maps AmoCRM's problem onto them.
enum AccountProblemAlert {
    static func text(_ problem: AccountProblem, _ locale: AlertLocale) -> String {
        switch problem {
        case .opaqueRefusal(let message):
            AlertMessages.accountRefused(reply: message, locale)
        case .configuredID(let id, let path):
            AlertMessages.configurationRefused(refused(id), path: path, locale)
        }
    }

    /// The refused id as the alert words name it.
    static func refused(_ id: ConfiguredID) -> RefusedConfiguration {
        switch id {
        case .pipeline: .pipeline
        case .status: .status
        case .responsibleUser: .responsibleUser
        case .leadField(let field): .leadField(field)
        case .contactField(let code): .contactField(code: code)
        }
    }
}
