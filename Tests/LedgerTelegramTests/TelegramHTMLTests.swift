import LedgerTelegram
import Testing

@Suite struct TelegramHTMLTests {
    @Test(arguments: [
        ("<b>&", "&lt;b&gt;&amp;"),
        ("</code>", "&lt;/code&gt;"),
        ("&amp; already escaped", "&amp;amp; already escaped"),
        ("a < b > c & d", "a &lt; b &gt; c &amp; d"),
        ("Иван <ivan@example.ru>", "Иван &lt;ivan@example.ru&gt;"),
        ("😀 & 👍🏽", "😀 &amp; 👍🏽"),
        ("&#60;script&#62;", "&amp;#60;script&amp;#62;"),
        ("\"quoted\"", "\"quoted\""),
    ])
    func escapingTurnsEveryMarkupCharacterIntoAnEntity(input: String, expected: String) {
        #expect(TelegramHTML.escape(input) == expected)
    }

    @Test(arguments: ["<b>&", "</code>", "&amp;", "Заявка <i>№5</i> & \"ООО\"", "😀🇷🇺 <>&;", "&#x1F600; &lt;", "a&b;c"])
    func escapedTextReadsBackAsTheOriginalAfterMarkupIsStripped(input: String) {
        let escaped = TelegramHTML.escape(input)
        #expect(TelegramHTML.plainText(escaped) == input)
        #expect(TelegramHTML.plainLength(escaped) == input.utf16.count)
    }

    @Test func attributeEscapingAlsoEscapesQuotes() {
        #expect(TelegramHTML.escapeAttribute(#"https://x.ru/?a="1"&b=<2>"#) == "https://x.ru/?a=&quot;1&quot;&amp;b=&lt;2&gt;")
    }

    @Test func plainTextDropsTagsAndDecodesTheEntitiesTelegramAccepts() {
        let html = #"<b>Критично</b> &lt;x&gt; &amp; &quot;q&quot; &#65;&#x42; <a href="https://e.ru/?a=1&amp;b=2">link</a>"#
        #expect(TelegramHTML.plainText(html) == #"Критично <x> & "q" AB link"#)
    }

    @Test func plainLengthCountsUTF16UnitsSoAstralEmojiCountTwo() {
        #expect(TelegramHTML.plainLength("😀") == 2)
        #expect(TelegramHTML.plainLength("<b>😀</b>") == 2)
        #expect(TelegramHTML.plainLength("&#x1F600;") == 2)
        #expect(TelegramHTML.plainLength("&amp;") == 1)
        #expect(TelegramHTML.plainLength("Ж") == 1)
    }

    @Test func aStrayAmpersandOrAngleIsTextNotMarkup() {
        #expect(TelegramHTML.plainText("a & b < c") == "a & b < c")
        #expect(TelegramHTML.plainText("&unknown; &#xZZ;") == "&unknown; &#xZZ;")
    }
}
