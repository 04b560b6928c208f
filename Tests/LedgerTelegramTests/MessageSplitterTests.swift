import LedgerTelegram
import Testing

@Suite struct MessageSplitterTests {
    let splitter = MessageSplitter()

    @Test func textOfExactly4096UnitsIsOneMessageUnchanged() {
        let text = String(repeating: "😀", count: 2048)  // 2048 astral emoji = 4096 UTF-16 units
        #expect(TelegramHTML.plainLength(text) == 4096)
        #expect(splitter.split(text) == [text])
    }

    @Test func oneUnitOverTheLimitSplitsIntoTwoNumberedParts() throws {
        let text = String(repeating: "😀", count: 2048) + "a"
        let parts = splitter.split(text)
        #expect(parts.count == 2)
        #expect(parts.first?.hasPrefix("(1/2) ") == true)
        #expect(parts.last?.hasPrefix("(2/2) ") == true)
        for part in parts { #expect(TelegramHTML.plainLength(part) <= 4096) }
        // No emoji is cut in half: every part is whole characters, and nothing is lost.
        let joined = parts.map { String($0.dropFirst(6)) }.joined()
        #expect(joined == text)
    }

    @Test func entitiesAreNeverCutAndCountOneUnitEach() {
        let text = String(repeating: "&amp;", count: 4096)
        #expect(splitter.split(text) == [text])
        let over = text + "&lt;"
        let parts = splitter.split(over)
        #expect(parts.count == 2)
        for part in parts {
            #expect(TelegramHTML.plainLength(part) <= 4096)
            let body = part.drop { $0 != ")" }.dropFirst(2)
            #expect(body.replacing("&amp;", with: "").replacing("&lt;", with: "").isEmpty, "a cut entity in \(part.prefix(20))")
        }
    }

    @Test func linesArePreferredAsCutPoints() {
        let line = String(repeating: "x", count: 99)
        let text = Array(repeating: line, count: 60).joined(separator: "\n")  // 60 lines of 100 units with the break
        let parts = splitter.split(text)
        #expect(parts.count == 2)
        for part in parts {
            let lines = part.split(separator: "\n")
            #expect(lines.first?.hasSuffix(") " + line) == true)
            #expect(lines.dropFirst().allSatisfy { $0 == line[...] })
        }
    }

    @Test func tagsOpenAtACutAreClosedAndReopened() {
        let text = "<b><a href=\"https://e.ru/?a=1&amp;b=2\">" + String(repeating: "слово ", count: 1000) + "</a></b>"
        let parts = splitter.split(text)
        #expect(parts.count == 2)
        #expect(parts[0].hasSuffix("</a></b>"))
        #expect(parts[1].hasPrefix("(2/2) <b><a href=\"https://e.ru/?a=1&amp;b=2\">"))
        #expect(parts[1].hasSuffix("</a></b>"))
    }

    @Test func theNumberOfPartsIsCappedAndTheRestIsTruncatedWithANote() {
        let text = String(repeating: "a ", count: 20_000)  // 40,000 units: ten messages' worth
        let parts = splitter.split(text)
        #expect(parts.count == 5)
        for part in parts { #expect(TelegramHTML.plainLength(part) <= 4096) }
        #expect(parts[4].contains("…\n(truncated: "))
        #expect(parts[4].hasSuffix("more characters not shown)"))
    }

    @Test func aTextThatFitsIsNeverNumbered() {
        #expect(splitter.split("<b>short</b> &amp; sweet") == ["<b>short</b> &amp; sweet"])
    }

    @Test func aShortLineBeforeALongOneDoesNotWasteAPart() {
        let text = "<b>title</b>\n" + String(repeating: "word ", count: 1600)  // 8,005 units: fits two parts
        let parts = splitter.split(text)
        #expect(parts.count == 2)
        #expect(parts[0].hasPrefix("(1/2) <b>title</b>\nword word"))
    }
}
