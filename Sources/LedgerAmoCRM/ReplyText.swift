import Foundation
import LedgerCore
import LedgerOutbound

/// Short, safe messages from reply bodies.
///
/// Every message ends up in a `SyncFailed` event, stored forever in clear and shown in alerts, so it is bounded
/// (`AmoCRMAPI.maxMessageBytes`), free of control characters, and taken only from parts of a reply that describe
/// the error (problem+json `title`/`detail`, an HTML `<title>`), never from the request we sent.
enum ReplyText {
    static func bounded(_ text: String, maxBytes: Int = AmoCRMAPI.maxMessageBytes) -> String {
        ReplyBodyText.bounded(text, maxBytes: maxBytes)
    }

    /// A one-line description of an error reply: problem+json title and detail, else an HTML page's title, else a
    /// short text snippet, else just the status.
    static func summary(of reply: HTTPReply) -> String {
        if reply.bodyExceededLimit { return "HTTP \(reply.status), body over \(AmoCRMAPI.maxReplyBodyBytes) bytes not read" }
        if let problem = ProblemDetails.decode(reply.body), let text = problem.summary { return bounded(text) }
        if let title = htmlTitle(reply.body) { return bounded("HTTP \(reply.status): \(title)") }
        if looksLikeHTML(reply.body) { return "HTTP \(reply.status), HTML page" }
        if let snippet = textSnippet(reply.body) { return bounded("HTTP \(reply.status): \(snippet)") }
        return reply.body.isEmpty ? "HTTP \(reply.status)" : "HTTP \(reply.status), \(reply.body.count) bytes"
    }

    static func htmlTitle(_ body: [UInt8]) -> String? { ReplyBodyText.htmlTitle(body) }

    static func looksLikeHTML(_ body: [UInt8]) -> Bool { ReplyBodyText.looksLikeHTML(body) }

    /// The start of a plain-text body; nil for JSON (an unrecognised JSON body could echo what we sent) or binary.
    private static func textSnippet(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, let text = String(validating: body.prefix(200), as: UTF8.self) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("{"), !trimmed.hasPrefix("[") else { return nil }
        return ReplyBodyText.stripTags(trimmed)
    }
}
