import Foundation
import LedgerCore
import Testing

/// The catalog is the settings reference in docs/OPERATIONS.md and the list `check-config` judges keys by: it must
/// name exactly the keys the code reads.
struct SettingsCatalogTests {
    /// Records every key `LedgerSettings.load` asks for.
    private final class AskedKeys: @unchecked Sendable {
        // @unchecked Sendable: used by one test on one thread.
        var keys: Set<String> = []
    }

    private func keysRead(_ values: [String: String]) -> Set<String> {
        let asked = AskedKeys()
        _ = try? LedgerSettings.load { key in
            asked.keys.insert(key)
            return values[key]
        }
        return asked.keys
    }

    @Test func theCatalogNamesExactlyTheKeysTheSettingsRead() {
        // Unconfigured, and with both integrations on: some keys are only read once their integration is.
        let read = keysRead([:]).union(
            keysRead([
                "LEADLEDGER_AMOCRM_BASE_URL": "https://x.amocrm.ru", "LEADLEDGER_AMOCRM_TOKEN": "token",
                "LEADLEDGER_TELEGRAM_BOT_TOKEN": "123:abc", "LEADLEDGER_TELEGRAM_CHAT_ID": "42",
            ]))
        let catalog = Set(SettingsCatalog.all.map(\.key))
        #expect(read.subtracting(catalog).isEmpty, "read but not in the catalog: \(read.subtracting(catalog).sorted())")
        #expect(catalog.subtracting(read).isEmpty, "in the catalog but never read: \(catalog.subtracting(read).sorted())")
        #expect(LedgerSettings.knownKeys == catalog)
    }

    @Test func eachKeyIsListedOnceWithADefaultAndAMeaning() {
        let keys = SettingsCatalog.all.map(\.key)
        #expect(Set(keys).count == keys.count, "duplicates: \(keys)")
        for entry in SettingsCatalog.all {
            #expect(entry.key.hasPrefix("LEADLEDGER_"))
            #expect(!entry.defaultValue.isEmpty && !entry.meaning.isEmpty, "\(entry.key)")
            #expect(!entry.meaning.contains("|") && !entry.defaultValue.contains("|"), "breaks the table: \(entry.key)")
        }
        let markdown = SettingsCatalog.markdown()
        for key in keys { #expect(markdown.contains("| `\(key)` |"), "\(key)") }
    }
}
