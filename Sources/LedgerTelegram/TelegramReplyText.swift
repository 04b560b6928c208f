import Foundation
import LedgerCore
import LedgerOutbound

/// Short, safe reasons from reply bodies.
///
/// A reason ends up in logs, in delivery events and in health, so it is bounded (`TelegramAPI.maxReasonBytes`), on
/// one line, and taken only from the parts of a reply that describe the error (the Bot API `description`, an HTML
/// page's `<title>`), never from the message we sent.
enum TelegramReplyText {
    static func bounded(_ text: String, maxBytes: Int = TelegramAPI.maxReasonBytes) -> String {
        ReplyBodyText.bounded(text, maxBytes: maxBytes)
    }

    /// A one-line description of a reply that is not a Bot API JSON object: an HTML page's title, else "HTML page",
    /// else the size. Never the raw body: a garbage body may be anything.
    static func summary(of reply: HTTPReply) -> String {
        if reply.bodyExceededLimit { return "HTTP \(reply.status), body over \(TelegramAPI.maxReplyBodyBytes) bytes not read" }
        if let title = htmlTitle(reply.body) { return bounded("HTTP \(reply.status): \(title)") }
        if looksLikeHTML(reply.body) { return "HTTP \(reply.status), HTML page" }
        return reply.body.isEmpty
            ? "HTTP \(reply.status), empty body" : "HTTP \(reply.status), \(reply.body.count) bytes unreadable"
    }

    static func htmlTitle(_ body: [UInt8]) -> String? {
        ReplyBodyText.htmlTitle(body, scanBytes: TelegramAPI.maxReplyBodyBytes)
    }

    static func looksLikeHTML(_ body: [UInt8]) -> Bool { ReplyBodyText.looksLikeHTML(body) }
}
