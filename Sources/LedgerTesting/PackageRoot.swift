import Foundation

/// The package root, found from this file's path (Sources/LedgerTesting/): where tests find `tools/` and the built
/// binaries. One definition for every test target.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A test's own setup went wrong (a missing binary, a bad URL): not the behaviour under test.
public struct HarnessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
