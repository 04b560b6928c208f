import Foundation

/// Short, safe messages from reply bodies.
///
/// Every message ends up in a `SyncFailed` event, stored forever in clear and shown in alerts, so it is bounded
/// (`AmoCRMAPI.maxMessageBytes`), free of control characters, and taken only from parts of a reply that describe
/// the error (problem+json `title`/`detail`, an HTML `<title>`), never from the request we sent.
enum ReplyText {
    /// Collapses whitespace and control characters to single spaces and cuts at a character boundary.
    static func bounded(_ text: String, maxBytes: Int = AmoCRMAPI.maxMessageBytes) -> String {
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

    /// The text of an HTML `<title>` within the first 64 KiB, tags removed, or nil.
    static func htmlTitle(_ body: [UInt8]) -> String? {
        let head = String(decoding: body.prefix(64 * 1024), as: UTF8.self)
        guard let open = head.range(of: "<title", options: .caseInsensitive),
            let openEnd = head[open.upperBound...].firstIndex(of: ">"),
            let close = head[openEnd...].range(of: "</title", options: .caseInsensitive)
        else { return nil }
        let title = stripTags(String(head[head.index(after: openEnd)..<close.lowerBound]))
        let trimmed = bounded(title, maxBytes: 200)
        return trimmed.isEmpty ? nil : trimmed
    }

    static func looksLikeHTML(_ body: [UInt8]) -> Bool {
        let start = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return start.hasPrefix("<")
    }

    /// The start of a plain-text body; nil for JSON (an unrecognised JSON body could echo what we sent) or binary.
    private static func textSnippet(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, let text = String(validating: body.prefix(200), as: UTF8.self) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("{"), !trimmed.hasPrefix("[") else { return nil }
        return stripTags(trimmed)
    }

    private static func stripTags(_ text: String) -> String {
        var out = ""
        var inTag = false
        for character in text {
            if character == "<" {
                inTag = true
            } else if character == ">" {
                inTag = false
            } else if !inTag {
                out.append(character)
            }
        }
        return out
    }
}
