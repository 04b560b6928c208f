import Foundation
import LedgerCore

/// Renders alerts for a human, as Telegram HTML: Russian by default, English on request.
///
/// A raised alert says how bad it is (a marker and a word), what happened, what it is about, since when (the owner's
/// time zone), how many leads are affected, how often it happened, what to do, and a short alert id; a resolved one
/// says what ended and how long it lasted. Every value from outside is escaped (`TelegramHTML.escape`), so a lead id
/// or a CRM error message with `<`, `&` or `</code>` in it shows as text and cannot break the markup. Texts may be
/// longer than one Telegram message: send `splitter.split(text)`.
public struct AlertText: Sendable {
    public let locale: AlertLocale
    public var timeZone: TimeZone
    /// Splits texts over Telegram's limit into at most 5 messages, with the truncation note in this locale.
    public var splitter: MessageSplitter
    private let wording: AlertWording
    private let hints: [String: String]

    /// The longest subject or hint shown; a digest line shows at most `maxDigestMessageCharacters` of a message.
    static let maxSubjectCharacters = 200
    static let maxHintCharacters = 500
    static let maxDigestMessageCharacters = 200
    /// A digest lists at most this many alerts, then says how many more there were.
    static let maxDigestEntries = 30

    /// - Parameter hints: "what to do" per alert kind, in this locale, replacing the built-in ones for those kinds.
    public init(locale: AlertLocale = .ru, timeZone: TimeZone, hints: [String: String] = [:]) {
        self.locale = locale
        self.timeZone = timeZone
        let wording = AlertWording.of(locale)
        self.wording = wording
        self.hints = wording.hints.merging(hints) { $1 }
        self.splitter = MessageSplitter(truncationNote: { "(\(wording.truncated) \($0))" })
    }

    /// The message for a raised alert (or a repeat of one the throttle lets through).
    public func raised(_ alert: AlertContent) -> String {
        var lines = [
            "\(marker(alert.severity)) <b>\(escape(severityWord(alert.severity)))</b> · <code>\(escape(alert.kind))</code>",
            escape(alert.message),
        ]
        if let subject = alert.subject, !subject.isEmpty {
            lines.append(
                "\(escape(wording.subject)): <code>\(escape(Self.cut(shown(subject), Self.maxSubjectCharacters)))</code>")
        }
        lines.append("\(escape(wording.since)): \(escape(AlertTimeFormat.time(alert.since, in: timeZone, locale: locale)))")
        if let affected = alert.affectedLeads {
            lines.append("\(escape(wording.affectedLeads)): \(affected)")
        }
        if alert.occurrences > 1 {
            lines.append("\(escape(wording.occurrences)): \(alert.occurrences)")
        }
        if let hint = hints[alert.kind], !hint.isEmpty {
            lines.append("\(escape(wording.whatToDo)): \(escape(Self.cut(hint, Self.maxHintCharacters)))")
        }
        lines.append("<i>id \(escape(alert.shortID))</i>")
        return lines.joined(separator: "\n")
    }

    /// The message for a resolved alert: `✅ Решено: …`, with how long the condition lasted.
    public func resolved(_ alert: AlertContent, at resolvedAt: Timestamp) -> String {
        var lines = ["✅ <b>\(escape(wording.resolved)):</b> \(escape(alert.message))"]
        if let subject = alert.subject, !subject.isEmpty {
            lines.append(
                "\(escape(wording.subject)): <code>\(escape(Self.cut(shown(subject), Self.maxSubjectCharacters)))</code>")
        }
        let lasted = AlertTimeFormat.duration(
            milliseconds: resolvedAt.millisecondsSinceEpoch - alert.since.millisecondsSinceEpoch, wording: wording)
        let since = AlertTimeFormat.time(alert.since, in: timeZone, locale: locale)
        lines.append("\(escape(wording.lasted)): \(escape(lasted)) (\(escape(wording.since.lowercased())) \(escape(since)))")
        lines.append("<i>id \(escape(alert.shortID))</i>")
        return lines.joined(separator: "\n")
    }

    /// One message listing many alerts that fell due together (`AlertThrottle.plan`): a line each, at most
    /// `maxDigestEntries` of them, each message cut to `maxDigestMessageCharacters`.
    public func digest(_ entries: [AlertDigestEntry], at now: Timestamp) -> String {
        let time = AlertTimeFormat.time(now, in: timeZone, locale: locale)
        var lines = ["🔔 <b>\(escape(wording.digestTitle)): \(entries.count)</b> · \(escape(time))"]
        for entry in entries.prefix(Self.maxDigestEntries) {
            lines.append(digestLine(entry))
        }
        if entries.count > Self.maxDigestEntries {
            lines.append("\(escape(wording.digestMore)) \(entries.count - Self.maxDigestEntries)")
        }
        return lines.joined(separator: "\n")
    }

    private func digestLine(_ entry: AlertDigestEntry) -> String {
        let alert = entry.alert
        let message = escape(Self.cut(alert.message, Self.maxDigestMessageCharacters))
        var line =
            entry.resolvedAt == nil ? "• \(marker(alert.severity)) \(message)" : "• ✅ \(escape(wording.resolved)): \(message)"
        if let subject = alert.subject, !subject.isEmpty {
            line += " · <code>\(escape(Self.cut(shown(subject), Self.maxSubjectCharacters)))</code>"
        }
        if entry.resolvedAt == nil, alert.occurrences > 1 { line += " ×\(alert.occurrences)" }
        return line + " <i>id \(escape(alert.shortID))</i>"
    }

    private func marker(_ severity: AlertSeverity) -> String {
        switch severity {
        case .critical: "🔴"
        case .warning: "🟠"
        case .info: "🔵"
        }
    }

    private func shown(_ subject: String) -> String { wording.subjects[subject] ?? subject }

    private func severityWord(_ severity: AlertSeverity) -> String { wording.severity[severity] ?? severity.rawValue }

    private func escape(_ text: String) -> String { TelegramHTML.escape(text) }

    /// At most `limit` characters, `…` marking a cut; applied before escaping, so an entity is never cut.
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
    }
}

/// One alert in a digest: raised (or repeated), or resolved at `resolvedAt`.
public struct AlertDigestEntry: Sendable, Equatable {
    public var alert: AlertContent
    public var resolvedAt: Timestamp?

    public init(alert: AlertContent, resolvedAt: Timestamp? = nil) {
        self.alert = alert
        self.resolvedAt = resolvedAt
    }
}
