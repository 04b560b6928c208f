/// Which configured id AmoCRM refused, as the `crm_stopped` message names it: the reactor maps AmoCRM's
/// `ConfiguredID` onto this, so the words for it live with the other alert words.
public enum RefusedConfiguration: Sendable, Equatable {
    case pipeline
    case status
    case responsibleUser
    /// A lead custom field, with the id sent when the request shows it.
    case leadField(Int64?)
    /// The contact's PHONE or EMAIL field, by code when known.
    case contactField(code: String?)
}
