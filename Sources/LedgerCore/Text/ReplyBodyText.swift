import Foundation

/// Short, safe text from what a remote server answered (AmoCRM, Telegram): such text ends up in events stored
/// forever and in alerts, so it is bounded, free of control characters, and taken only from the parts of a reply
/// that describe an error (an HTML page's `<title>`), never the raw body.
public enum ReplyBodyText {
    /// Collapses whitespace and control characters to single spaces and cuts at a character boundary, with `…`.
    public static func bounded(_ text: String, maxBytes: Int) -> String {
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

    /// The text of an HTML `<title>` within the first `scanBytes`, tags removed, at most 200 bytes, or nil.
    public static func htmlTitle(_ body: [UInt8], scanBytes: Int = 64 * 1024) -> String? {
        let head = String(decoding: body.prefix(scanBytes), as: UTF8.self)
        guard let open = head.range(of: "<title", options: .caseInsensitive),
            let openEnd = head[open.upperBound...].firstIndex(of: ">"),
            let close = head[openEnd...].range(of: "</title", options: .caseInsensitive)
        else { return nil }
        let title = bounded(stripTags(String(head[head.index(after: openEnd)..<close.lowerBound])), maxBytes: 200)
        return title.isEmpty ? nil : title
    }

    /// True when the body starts (after whitespace) with `<`: an nginx error page rather than JSON.
    public static func looksLikeHTML(_ body: [UInt8]) -> Bool {
        let start = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return start.hasPrefix("<")
    }

    public static func stripTags(_ text: String) -> String {
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
