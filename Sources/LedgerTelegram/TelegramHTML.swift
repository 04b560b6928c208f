/// Telegram's HTML parse mode, as far as LeadLedger writes it.
///
/// Escaping is three substitutions with no context rules, which is why alerts use HTML rather than MarkdownV2: every
/// interpolated value goes through `escape` (or `escapeAttribute` inside `href="…"`), `&` first so an escape is never
/// escaped twice in the wrong order. `plainText`/`plainLength` measure what Telegram measures: its 4096 limit applies
/// after markup is stripped and entities are decoded.
public enum TelegramHTML {
    /// Text for between tags: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`. An already escaped `&amp;` becomes
    /// `&amp;amp;`, so it shows exactly as it was typed.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Text for a double-quoted attribute value: `escape` plus `"` → `&quot;`.
    public static func escapeAttribute(_ text: String) -> String {
        escape(text).replacing("\"", with: "&quot;")
    }

    /// What Telegram shows: tags removed, the entities Telegram accepts decoded (`&lt; &gt; &amp; &quot;`, `&#NN;`,
    /// `&#xHH;`). Anything else is kept as written.
    public static func plainText(_ html: String) -> String {
        var out = ""
        for token in HTMLTokenizer.tokens(html) {
            switch token {
            case .tag: continue
            case .text(let character): out.append(character)
            case .entity(_, let decoded): out.unicodeScalars.append(decoded)
            }
        }
        return out
    }

    /// The length Telegram checks against `TelegramAPI.maxTextUTF16Units`: UTF-16 code units of `plainText`, so an
    /// astral-plane emoji counts 2.
    public static func plainLength(_ html: String) -> Int {
        HTMLTokenizer.tokens(html).reduce(0) { $0 + $1.plainUTF16Units }
    }
}
