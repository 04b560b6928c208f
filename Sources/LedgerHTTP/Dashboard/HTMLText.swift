/// Escaping for text placed in HTML, in element content and in quoted attribute values alike.
///
/// Why all five characters: `<` and `&` start markup and entities in content, `"` and `'` end attribute values, and
/// `>` is escaped so no context ever sees a stray tag end. Everything dynamic on the dashboard (alert texts, health
/// reasons, kinds, ids) passes through here, via `HTML` interpolation.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // NUL is replaced by browsers anyway; dropping it keeps the page valid text.
            case "\u{0}": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
