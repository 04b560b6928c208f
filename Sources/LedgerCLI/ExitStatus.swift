/// The documented exit codes: 0 ok, 1 a failure was found (verify, check-config), 2 usage error, 3 runtime error.
public struct ExitStatus: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String?

    public static let ok = ExitStatus(code: 0, message: nil)

    public static func failureFound(_ message: String? = nil) -> ExitStatus { ExitStatus(code: 1, message: message) }
    public static func usage(_ message: String) -> ExitStatus { ExitStatus(code: 2, message: message) }
    public static func runtime(_ message: String) -> ExitStatus { ExitStatus(code: 3, message: message) }

    public var description: String { message ?? "exit \(code)" }
}
