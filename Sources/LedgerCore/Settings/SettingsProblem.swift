/// One thing wrong with the configuration, named by its environment key, in words an operator can act on.
public struct SettingsProblem: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}

/// Every problem found, reported together so an operator fixes the configuration in one pass.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var problems: [SettingsProblem]

    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
