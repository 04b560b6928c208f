import Foundation
import LedgerCore
import LedgerTelegram
import LedgerTesting
import Logging
import Synchronization

/// A Telegram client for `fake`, with short timeouts so fault tests stay fast.
func makeClient(
    _ fake: FakeTelegramProcess, requestTimeout: Duration = .seconds(2), logger: Logger = Logger(label: "test.telegram")
) throws -> TelegramClient {
    guard let url = URL(string: fake.baseURL) else { throw HarnessError(message: "bad fake url") }
    let configuration = TelegramClientConfiguration(
        apiURL: url, botToken: Secret(fake.token), connectTimeout: .seconds(1), requestTimeout: requestTimeout)
    return TelegramClient(configuration: configuration, logger: logger)
}

/// 2026-11-29T09:00:00Z.
let fixedStart = Timestamp(millisecondsSinceEpoch: 1_795_942_800_000)

let moscow = TimeZone(identifier: "Europe/Moscow") ?? TimeZone(secondsFromGMT: 3 * 3600)!

/// Keeps every log line (message and metadata rendered as text), so tests can check what was logged.
struct RecordingLogHandler: LogHandler {
    let box: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        box.storage.withLock { $0.append("\(event.level) \(event.message) \(rendered)") }
    }
}

/// A logger at trace level whose lines land in the returned box.
func recordingLogger() -> (Logger, LogLines) {
    let box = LogLines()
    let logger = Logger(label: "test.telegram") { _ in RecordingLogHandler(box: box) }
    return (logger, box)
}

final class LogLines: Sendable {
    let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
}
