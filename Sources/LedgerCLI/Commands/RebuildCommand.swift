import ArgumentParser
import Foundation
import LedgerCore
import LedgerProjections

/// `leadledger rebuild`: drops every read model and replays the log into it.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Drop and rebuild every projection from the log.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try await global.settings()
        let started = Date()
        let (runner, replayed) = try await global.withStore(settings) { log in
            // A rebuild reads the whole file anyway: check it first, and replace it if it is damaged.
            let runner = try global.readModels(
                log, settings, batchSize: max(settings.projectionBatchSize, 10_000), checkIntegrity: true)
            do {
                return (runner, try await runner.rebuild())
            } catch {
                throw ExitStatus.runtime("rebuild: \(error)")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        writeOut(
            "rebuild: replayed \(replayed) events into \(runner.projectors.map(\.name).joined(separator: ", ")) in "
                + String(format: "%.2f s", seconds) + "\n")
    }
}
