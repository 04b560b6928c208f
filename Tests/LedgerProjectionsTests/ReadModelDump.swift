import Foundation
import GRDB
import LedgerProjections

/// Every row of every read-model table, as text, in a fixed order: what "identical read models" is compared on.
func readModelDump(_ store: ReadModelStore) throws -> [String: [String]] {
    try store.database.read { db in
        var dump: [String: [String]] = [:]
        for table in ["retry_queue", "health_view", "cost_report_lead", "hourly_activity"] {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1")
            dump[table] = rows.map { $0.description }
        }
        return dump
    }
}
