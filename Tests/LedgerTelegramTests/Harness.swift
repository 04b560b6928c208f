import Foundation
import LedgerTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
