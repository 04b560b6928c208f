import Foundation

/// Short, safe reasons from reply bodies.
///
/// A reason ends up in logs, in delivery events and in health, so it is bounded (`TelegramAPI.maxReasonBytes`), on
/// one line, and taken only from the parts of a reply that describe the error (the Bot API `description`, an HTML
/// page's `<title>`), never from the message we sent.
enum TelegramReplyText {
    /// Collapses whitespace and control characters to single spaces and cuts at a character boundary.
    static func bounded(_ text: String, maxBytes: Int = TelegramAPI.maxReasonBytes) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if CharacterSet.whitespacesAndNewlines.contains(scalar) || CharacterSet.controlCharacters.contains(scalar) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.unicodeScalars.append(" ") }
            pendingSpace = false
            out.unicodeScalars.append(scalar)
        }
        guard out.utf8.count > maxBytes else { return out }
        let ellipsis = "…"
        var cut = ""
        for character in out {
            if cut.utf8.count + character.utf8.count + ellipsis.utf8.count > maxBytes { break }
            cut.append(character)
        }
        return cut + ellipsis
    }

    /// A one-line description of a reply that is not a Bot API JSON object: an HTML page's title, else "HTML page",
    /// else the size. Never the raw body: a garbage body may be anything.
    static func summary(of reply: TelegramHTTPReply) -> String {
        if reply.bodyExceededLimit { return "HTTP \(reply.status), body over \(TelegramAPI.maxReplyBodyBytes) bytes not read" }
        if let title = htmlTitle(reply.body) { return bounded("HTTP \(reply.status): \(title)") }
        if looksLikeHTML(reply.body) { return "HTTP \(reply.status), HTML page" }
        return reply.body.isEmpty
            ? "HTTP \(reply.status), empty body" : "HTTP \(reply.status), \(reply.body.count) bytes unreadable"
    }

    /// The text of an HTML `<title>`, tags removed, or nil.
    static func htmlTitle(_ body: [UInt8]) -> String? {
        let head = String(decoding: body.prefix(TelegramAPI.maxReplyBodyBytes), as: UTF8.self)
        guard let open = head.range(of: "<title", options: .caseInsensitive),
            let openEnd = head[open.upperBound...].firstIndex(of: ">"),
            let close = head[openEnd...].range(of: "</title", options: .caseInsensitive)
        else { return nil }
        let inner = head[head.index(after: openEnd)..<close.lowerBound]
        let title = bounded(String(inner.filter { $0 != "<" && $0 != ">" }), maxBytes: 200)
        return title.isEmpty ? nil : title
    }

    static func looksLikeHTML(_ body: [UInt8]) -> Bool {
        let start = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return start.hasPrefix("<")
    }
}
