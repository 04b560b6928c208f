/// Fits a Telegram HTML message into messages of at most `maxUTF16Units` after markup, and at most `maxParts` of them.
///
/// Telegram refuses a whole message over 4096 characters (counted after entity parsing), and an alert that is never
/// delivered is worse than one that is cut. So a long text becomes several messages numbered `(1/3) `, cut at a line
/// break where there is one, else at a space, else between two characters; never inside a tag or an `&…;` entity
/// (`HTMLTokenizer`). Tags open at a cut are closed at the end of the part and opened again at the start of the next,
/// so every part is valid HTML on its own. Past `maxParts` the rest is dropped: the last part ends with `…` and a
/// note saying how much is missing. Bounded like everything else: a runaway text costs at most `maxParts` messages.
public struct MessageSplitter: Sendable {
    /// Telegram's limit per message, after markup (`TelegramAPI.maxTextUTF16Units`). At least 100.
    public var maxUTF16Units: Int
    /// The most messages one text becomes (default 5). At least 1, at most 99.
    public var maxParts: Int
    /// The note after `…` when text was dropped, given how many UTF-16 units were dropped. Plain text; escaped here.
    public var truncationNote: @Sendable (Int) -> String

    public init(
        maxUTF16Units: Int = TelegramAPI.maxTextUTF16Units, maxParts: Int = 5,
        truncationNote: @escaping @Sendable (Int) -> String = { "(truncated: \($0) more characters not shown)" }
    ) {
        self.maxUTF16Units = max(100, maxUTF16Units)
        self.maxParts = min(99, max(1, maxParts))
        self.truncationNote = truncationNote
    }

    /// The messages to send, in order; the text itself when it fits. Every part is at most `maxUTF16Units` long after
    /// markup (a single grapheme longer than a whole part is the one exception, and no alert has one).
    public func split(_ html: String) -> [String] {
        let tokens = HTMLTokenizer.tokens(html)
        var suffixUnits = [Int](repeating: 0, count: tokens.count + 1)
        for index in tokens.indices.reversed() { suffixUnits[index] = suffixUnits[index + 1] + tokens[index].plainUTF16Units }
        guard suffixUnits[0] > maxUTF16Units else { return [html] }

        let budget = maxUTF16Units - header(part: maxParts, of: maxParts).utf16.count
        // Room for the note, sized for the longest count it can show (plus slack for plural forms).
        let noteUnits = TelegramHTML.plainLength(noteHTML(dropped: suffixUnits[0])) + 8
        var chunks: [Chunk] = []
        var start = 0
        var openTags: [OpenTag] = []
        while start < tokens.count {
            start = skipLineBreaks(tokens, from: start)
            guard start < tokens.count else { break }
            let isLast = chunks.count == maxParts - 1
            if suffixUnits[start] <= budget {
                var chunk = Chunk(tokens: tokens[start...], reopened: openTags)
                openTags = chunk.closeTags()
                chunks.append(chunk)
                break
            }
            let cut = findCut(tokens, from: start, budget: isLast ? max(1, budget - noteUnits) : budget)
            var chunk = Chunk(tokens: tokens[start..<cut.end], reopened: openTags)
            openTags = chunk.closeTags()
            if isLast { chunk.suffix += noteHTML(dropped: suffixUnits[cut.end]) }
            chunks.append(chunk)
            if isLast { break }
            start = cut.resume
        }
        guard chunks.count > 1 else { return chunks.map(\.html) }
        return chunks.enumerated().map { header(part: $0.offset + 1, of: chunks.count) + $0.element.html }
    }

    /// `…` and the note on a line of its own, escaped.
    private func noteHTML(dropped: Int) -> String { "…\n" + TelegramHTML.escape(truncationNote(dropped)) }

    /// `(2/3) `, in front of every part when there are several.
    private func header(part: Int, of count: Int) -> String { "(\(part)/\(count)) " }

    /// Where a part that starts at `start` ends (exclusive) and where the next one starts: after the last line break
    /// that fits, else after the last space, else at the token that no longer fits. A break point is only taken when
    /// it leaves the part at least half full, so one long line after a short one does not waste a whole message.
    private func findCut(_ tokens: [HTMLTokenizer.Token], from start: Int, budget: Int) -> Cut {
        var units = 0
        var lastLineBreak: Int?
        var lastSpace: Int?
        var index = start
        while index < tokens.count {
            let tokenUnits = tokens[index].plainUTF16Units
            if units + tokenUnits > budget { break }
            if index > start, units * 2 >= budget {
                if tokens[index] == .text("\n") { lastLineBreak = index }
                if tokens[index] == .text(" ") { lastSpace = index }
            }
            units += tokenUnits
            index += 1
        }
        if index == tokens.count { return Cut(end: index, resume: index) }
        if let lastLineBreak { return Cut(end: lastLineBreak, resume: lastLineBreak + 1) }
        if let lastSpace { return Cut(end: lastSpace, resume: lastSpace + 1) }
        // A hard cut between two tokens; when not even one fits (a grapheme longer than a part), that one is taken
        // anyway, so the split always moves on.
        let end = max(index, start + 1)
        return Cut(end: end, resume: end)
    }

    /// A part never starts with the line break it was cut at.
    private func skipLineBreaks(_ tokens: [HTMLTokenizer.Token], from start: Int) -> Int {
        var index = start
        while index < tokens.count, tokens[index] == .text("\n") { index += 1 }
        return index
    }

    private struct Cut {
        var end: Int
        var resume: Int
    }

    /// A tag open at a cut: how to open it again (attributes and all) and its name for closing it.
    private struct OpenTag {
        var spelling: String
        var name: String
    }

    /// One part under construction: the tags it reopens, its own tokens, and the closing tags it needs.
    private struct Chunk {
        var prefix: String
        var body: String
        var suffix = ""
        var openAtEnd: [OpenTag]

        init(tokens: ArraySlice<HTMLTokenizer.Token>, reopened: [OpenTag]) {
            prefix = reopened.map(\.spelling).joined()
            var open = reopened
            var body = ""
            for token in tokens {
                body += token.spelling
                guard case .tag(let spelling, let name, let closing) = token else { continue }
                if !closing {
                    open.append(OpenTag(spelling: spelling, name: name))
                } else if let index = open.lastIndex(where: { $0.name == name }) {
                    open.remove(at: index)
                }
            }
            self.body = body
            openAtEnd = open
        }

        /// Closes the tags still open at the end of this part; returns them, to be opened again in the next part.
        mutating func closeTags() -> [OpenTag] {
            suffix = openAtEnd.reversed().map { "</\($0.name)>" }.joined() + suffix
            return openAtEnd
        }

        var html: String { prefix + body + suffix }
    }
}
