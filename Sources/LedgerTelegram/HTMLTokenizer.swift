/// Splits Telegram HTML into the pieces that matter for measuring and cutting it: tags (zero length), entities (one
/// decoded character, however long their spelling) and single characters of text.
///
/// The splitter cuts only between tokens, which is what "never inside a tag or an entity" means. The grammar follows
/// Telegram's (and `tools/fake_telegram.py`'s): a tag is `<name …>` or `</name>`; an entity is `&lt;`, `&gt;`,
/// `&amp;`, `&quot;`, `&#NN;` or `&#xHH;`. Anything else (a stray `<` or `&`) is text; our own output never has one,
/// because every interpolated value is escaped.
enum HTMLTokenizer {
    enum Token: Equatable {
        /// `<b>`, `</b>`, `<a href="…">`: the whole spelling, and the lowercased name for open/close bookkeeping.
        case tag(spelling: String, name: String, closing: Bool)
        case entity(spelling: String, decoded: Unicode.Scalar)
        case text(Character)

        var plainUTF16Units: Int {
            switch self {
            case .tag: 0
            case .entity(_, let decoded): decoded.utf16.count
            case .text(let character): character.utf16.count
            }
        }

        var spelling: String {
            switch self {
            case .tag(let spelling, _, _), .entity(let spelling, _): spelling
            case .text(let character): String(character)
            }
        }
    }

    static func tokens(_ html: String) -> [Token] {
        var tokens: [Token] = []
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let (token, end) = tag(in: html, at: index) {
                tokens.append(token)
                index = end
            } else if character == "&", let (token, end) = entity(in: html, at: index) {
                tokens.append(token)
                index = end
            } else {
                tokens.append(.text(character))
                index = html.index(after: index)
            }
        }
        return tokens
    }

    /// `<name…>` or `</name>` starting at `start`, up to the first `>` with no `<` before it.
    private static func tag(in html: String, at start: String.Index) -> (Token, String.Index)? {
        var cursor = html.index(after: start)
        let closing = cursor < html.endIndex && html[cursor] == "/"
        if closing { cursor = html.index(after: cursor) }
        var name = ""
        while cursor < html.endIndex, isNameCharacter(html[cursor], first: name.isEmpty) {
            name.append(html[cursor])
            cursor = html.index(after: cursor)
        }
        guard !name.isEmpty else { return nil }
        while cursor < html.endIndex, html[cursor] != ">" {
            if html[cursor] == "<" { return nil }
            cursor = html.index(after: cursor)
        }
        guard cursor < html.endIndex else { return nil }
        let end = html.index(after: cursor)
        return (.tag(spelling: String(html[start..<end]), name: name.lowercased(), closing: closing), end)
    }

    /// A tag name is an ASCII letter followed by letters, digits and `-` (`tg-spoiler`).
    private static func isNameCharacter(_ character: Character, first: Bool) -> Bool {
        guard character.isASCII else { return false }
        return first ? character.isLetter : character.isLetter || character.isNumber || character == "-"
    }

    /// An entity Telegram accepts, starting at `start`; at most 12 characters are looked at.
    private static func entity(in html: String, at start: String.Index) -> (Token, String.Index)? {
        guard let semicolon = html[start...].prefix(12).firstIndex(of: ";") else { return nil }
        let end = html.index(after: semicolon)
        let spelling = String(html[start..<end])
        let body = spelling.dropFirst().dropLast()
        let named: [Substring: Unicode.Scalar] = ["lt": "<", "gt": ">", "amp": "&", "quot": "\""]
        if let scalar = named[body] { return (.entity(spelling: spelling, decoded: scalar), end) }
        guard body.hasPrefix("#") else { return nil }
        let digits = body.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            let hex = digits.dropFirst()
            value = hex.isEmpty || !hex.allSatisfy(\.isHexDigit) ? nil : UInt32(hex, radix: 16)
        } else {
            value = digits.isEmpty || !digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : UInt32(digits)
        }
        guard let value, let scalar = Unicode.Scalar(value) else { return nil }
        return (.entity(spelling: spelling, decoded: scalar), end)
    }
}
