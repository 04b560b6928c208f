/// One key/value pair as read from a body, before validation. Both body formats produce these, so everything after
/// reading is shared and a lead sent as JSON or as a form normalises the same way.
struct RawField: Sendable, Equatable {
    enum Value: Sendable, Equatable {
        /// A string, or a JSON number or boolean as its literal text (`9161234567`, `true`).
        case text(String)
        /// JSON `null`: the field is absent.
        case null
        /// A JSON object or array: not a form field, refused by name.
        case nested
    }

    var key: String
    var value: Value
}
