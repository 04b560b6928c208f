/// A refusal that concerns the account or its configuration, not the leads sent: every lead would get it, so none
/// is at fault and none may be dead-lettered for it.
public enum AccountProblem: Sendable, Equatable {
    /// A 400 without per-lead validation errors. AmoCRM answers so ("Код ошибки 244") when the integration's user
    /// lacks the right to add leads or the subscription has ended (amocrm-api-php issue #33).
    case opaqueRefusal(message: String)
    /// Validation errors at a configured id (`pipeline_id`, `status_id`, `responsible_user_id`, a custom field's
    /// `field_id`): the account has no such pipeline, stage, user or field.
    case configuredID(ConfiguredID, path: String)

    /// A bounded one-line text, safe to store.
    public var message: String {
        switch self {
        case .opaqueRefusal(let message): message
        case .configuredID(let id, let path): "AmoCRM refuses the configured \(id.description) (at \(path))"
        }
    }
}

/// Which configured id AmoCRM refused.
public enum ConfiguredID: Sendable, Equatable, CustomStringConvertible {
    case pipeline
    case status
    case responsibleUser
    /// A lead custom field, with the id sent when the request shows it.
    case leadField(Int64?)
    /// The contact's PHONE or EMAIL field, addressed by code: the account lacks it or has it with another type.
    case contactField(code: String?)

    public var description: String {
        switch self {
        case .pipeline: "pipeline"
        case .status: "stage (status)"
        case .responsibleUser: "responsible user"
        case .leadField(let id): "lead custom field" + (id.map { " \($0)" } ?? "")
        case .contactField(let code): "contact field" + (code.map { " \($0)" } ?? "")
        }
    }

    /// The configured id a validation error's `path` points at, or nil when the path is the lead's own data (a
    /// value, a name). `customFieldIDs` are the field ids the lead was sent with, by position.
    static func at(path: String, customFieldIDs: [Int64?], contactFieldCodes: [String?]) -> ConfiguredID? {
        switch path {
        case "pipeline_id": return .pipeline
        case "status_id": return .status
        case "responsible_user_id": return .responsibleUser
        default: break
        }
        let parts = path.split(separator: ".").map(String.init)
        if parts.count == 3, parts[0] == "custom_fields_values", let index = Int(parts[1]),
            ["field_id", "field_code"].contains(parts[2])
        {
            return .leadField(customFieldIDs.indices.contains(index) ? customFieldIDs[index] : nil)
        }
        if parts.count == 6, parts[0] == "_embedded", parts[1] == "contacts", parts[3] == "custom_fields_values",
            let index = Int(parts[4]), ["field_id", "field_code"].contains(parts[5])
        {
            return .contactField(code: contactFieldCodes.indices.contains(index) ? contactFieldCodes[index] : nil)
        }
        return nil
    }
}
