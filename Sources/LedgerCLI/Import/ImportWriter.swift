import LedgerCore
import LedgerIngest
import LedgerStore

/// Writes an import's valid rows into the log in bounded batches, or rehearses them for `--dry-run`, and counts
/// what happened to each.
struct ImportWriter {
    let log: any EventStore
    /// Rows per transaction: each batch is one transaction, durable before the next starts. Bounded so `serve`,
    /// sharing the log, never waits long for the append lock, and so an interrupted import keeps what it
    /// committed (importing again skips those rows).
    let batchSize: Int
    /// Half-width of the contact-and-form window around each row's original time, in seconds.
    let windowSeconds: Int

    /// The lead a row becomes. Its id is a UUIDv7 minted at the row's original time, not at the import's: ids are
    /// the time index of the duplicate window (`receive` scans a range of ids), so an id minted now would put a
    /// lead from last week into this minute's window, where it could swallow a live form post from the same
    /// person as a "double click". The window is `[time − w, time + w]`, closed at both ends: a lead from last week
    /// is compared with last week's leads only; and with `w = 0` it still holds the instant itself, which is how a
    /// second import of the file finds each row's lead (see `ImportedRow.idempotencyKey`).
    func newLead(_ row: ImportedRow) -> NewLead {
        let window = Int64(windowSeconds) * 1000
        return NewLead(
            leadID: LeadID.make(at: row.receivedAt), receivedAt: row.receivedAt, origin: .import,
            formID: row.submission.formID, utm: row.submission.utm, idempotencyKey: row.idempotencyKey,
            personal: row.submission.personal, submissionFingerprint: row.submission.fingerprint,
            duplicateWindowStart: row.receivedAt.adding(milliseconds: -window),
            duplicateWindowEnd: row.receivedAt.adding(milliseconds: window))
    }

    /// Writes (or, with `dryRun`, rehearses) every valid row of `file`, in file order.
    func run(_ file: ImportFile, dryRun: Bool) async throws(ImportWriteFailure) -> ImportTally {
        var tally = ImportTally(file: file)
        let valid = file.rows.compactMap { outcome -> ImportedRow? in
            if case .lead(let row) = outcome { return row }
            return nil
        }
        var rehearsal = ReceiveRehearsal()
        var start = 0
        while start < valid.count {
            let batch = valid[start..<min(start + batchSize, valid.count)]
            let leads = batch.map(newLead)
            do throws(StoreError) {
                if dryRun {
                    for (row, answer) in zip(batch, try await rehearsal.rehearse(leads, on: log)) {
                        tally.count(row, answer)
                    }
                } else {
                    for (row, receipt) in zip(batch, try await log.receive(leads)) {
                        tally.count(row, receipt.duplicateReason, leadID: receipt.leadID)
                    }
                }
            } catch {
                throw ImportWriteFailure(error: error, tally: tally, firstUnwrittenLine: batch.first?.line ?? 0)
            }
            start += batch.count
        }
        return tally
    }
}

/// A batch could not be written: what was committed before it stays, and importing the file again skips it.
struct ImportWriteFailure: Error, CustomStringConvertible {
    var error: StoreError
    var tally: ImportTally
    var firstUnwrittenLine: Int

    var description: String {
        "import stopped at the batch starting on line \(firstUnwrittenLine): \(error); \(tally.imported) lead(s) "
            + "were written before it and stay; importing the file again skips them and writes the rest"
    }
}
