import Foundation
import LedgerTesting
import Testing

/// docs/OPERATIONS.md is what an operator follows at 3 a.m.: its settings table is the code's own list (regenerate
/// with `make docs`), and every alert kind the code can raise has an entry saying what to do.
struct OperationsRunbookTests {
    static let begin = "<!-- settings-reference:begin (make docs) -->"
    static let end = "<!-- settings-reference:end -->"

    private func runbook() throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("docs/OPERATIONS.md"), encoding: .utf8)
    }

    @Test func theSettingsReferenceIsExactlyWhatCheckConfigPrints() throws {
        let text = try runbook()
        let start = try #require(text.range(of: Self.begin), "no \(Self.begin) marker")
        let stop = try #require(text.range(of: Self.end), "no \(Self.end) marker")
        let documented = String(text[start.upperBound..<stop.lowerBound])
        let printed = try run(try builtProduct("leadledger"), ["check-config", "--reference"])
        #expect(printed.code == 0, "\(printed)")
        #expect(documented == printed.stdout, "docs/OPERATIONS.md is stale: run make docs")
    }

    @Test func everyAlertKindHasARunbookEntry() throws {
        let text = try runbook()
        let sources = packageRoot.appendingPathComponent("Sources")
        var kinds: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", let code = try? String(contentsOf: file, encoding: .utf8) else { continue }
            // Alert kinds are declared as `kind: "name"` where alerts are raised.
            let pattern = try NSRegularExpression(pattern: #"(?:kind: |self\.alert\()"([a-z_]+)""#)
            for match in pattern.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
                if let range = Range(match.range(at: 1), in: code) { kinds.insert(String(code[range])) }
            }
        }
        #expect(kinds.count >= 5, "the alert kinds were not found in Sources: \(kinds)")
        for kind in kinds.sorted() {
            #expect(text.contains("### `\(kind)`"), "docs/OPERATIONS.md has no entry for alert `\(kind)`")
        }
    }
}
