import Foundation

/// Removes the bot token from any text before it is logged, stored or shown.
///
/// The Bot API puts the token in the URL path (`/bot<token>/sendMessage`), so any error that quotes the URL quotes
/// the token, and a leaked token lets anyone post as the bot and read its updates. Every string the client produces
/// from the outside world (transport errors, reply reasons) passes through here.
struct TokenRedactor: Sendable {
    static let placeholder = "<redacted>"
    /// Longest first: the whole token is replaced before its secret half would be.
    private let needles: [String]

    init(token: String) {
        var candidates: Set<String> = [token]
        // Percent-encoded, as a URL may print it: ":" is the only character of a bot token that gets encoded.
        candidates.insert(token.replacingOccurrences(of: ":", with: "%3A"))
        candidates.insert(token.replacingOccurrences(of: ":", with: "%3a"))
        // The secret half alone (after "bot id:") is what matters; long enough not to match ordinary words.
        if let colon = token.firstIndex(of: ":") {
            let secret = String(token[token.index(after: colon)...])
            if secret.count >= 8 { candidates.insert(secret) }
        }
        needles = candidates.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    func redact(_ text: String) -> String {
        var out = text
        for needle in needles where out.contains(needle) {
            out = out.replacingOccurrences(of: needle, with: Self.placeholder)
        }
        return out
    }
}
