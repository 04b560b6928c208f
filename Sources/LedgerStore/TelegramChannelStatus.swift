import Foundation
import LedgerCore

/// Whether the reactor's Telegram channel can reach the owner: written beside the log by alert delivery when the
/// channel becomes blocked (a revoked token, a blocked or kicked bot, an unknown chat) and when it works again, read
/// by `serve`'s health. While blocked, alerts wait in the log; health says why, because the owner cannot hear it
/// through the channel that is broken.
public struct TelegramChannelStatus: Codable, Sendable, Equatable {
    /// Telegram's refusal, token redacted; nil when the channel works (or has not been refused since the start).
    public var blockedReason: String?
    public var blockedSince: Timestamp?
    public var updatedAt: Timestamp

    public init(blockedReason: String?, blockedSince: Timestamp?, updatedAt: Timestamp) {
        self.blockedReason = blockedReason
        self.blockedSince = blockedSince
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case blockedReason = "blocked_reason"
        case blockedSince = "blocked_since"
        case updatedAt = "updated_at"
    }

    public static func path(forLog logPath: String) -> String { logPath + ".telegram-status.json" }

    public func write(forLog logPath: String) throws {
        try StatusFile.write(self, to: Self.path(forLog: logPath))
    }

    /// The last status, or nil when delivery never ran on this log (or the file is unreadable).
    public static func read(forLog logPath: String) -> TelegramChannelStatus? {
        StatusFile.read(TelegramChannelStatus.self, from: path(forLog: logPath))
    }
}
