import Foundation
import Testing

@testable import LedgerHTTP

/// The dashboard's one escaping helper, and the `HTML` type that applies it to everything interpolated.
struct HTMLTextTests {
    @Test(arguments: [
        (#"<script>alert("x")</script>"#, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        (#"" onmouseover="steal()"#, "&quot; onmouseover=&quot;steal()"),
        ("' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x"),
        ("Tom & Jerry &amp; co", "Tom &amp; Jerry &amp;amp; co"),
        ("a\u{0}b", "ab"),
        ("Заявка №5 — ok", "Заявка №5 — ok"),
        ("", ""),
    ])
    func escapesEveryCharacterThatCouldEndTextOrAnAttribute(input: String, expected: String) {
        #expect(HTMLText.escape(input) == expected)
    }

    @Test func escapedTextNeverContainsMarkupCharacters() {
        let hostile = #"<img src=x onerror='alert(1)'>"&<svg/onload=alert(2)>"#
        let escaped = HTMLText.escape(hostile)
        for character in ["<", ">", "\"", "'"] { #expect(!escaped.contains(character)) }
        #expect(escaped.components(separatedBy: "&").count - 1 == escaped.components(separatedBy: ";").count - 1)
    }

    @Test func interpolatedStringsAreEscapedAndFragmentsAreInsertedAsTheyAre() {
        let message = "<b>bold</b>"
        let inner: HTML = "<em>\(message)</em>"
        let outer: HTML = "<p title=\"\(message)\">\(inner) \(42)</p>"
        #expect(
            outer.description
                == "<p title=\"&lt;b&gt;bold&lt;/b&gt;\"><em>&lt;b&gt;bold&lt;/b&gt;</em> 42</p>")
    }
}
