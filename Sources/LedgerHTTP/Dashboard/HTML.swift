import Foundation

/// A fragment of HTML that is safe by construction: interpolating a `String` escapes it (`HTMLText.escape`), while
/// interpolating another `HTML` inserts it as it is. The dashboard is assembled only from `HTML` literals, so a
/// dynamic string cannot reach the page unescaped by forgetting a call.
///
/// Only constant markup (the page's own CSS and script) enters through `HTML.trusted`.
struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var rendered: String

    init(stringLiteral literal: String) { rendered = literal }

    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.rendered }

    /// Markup written in this source code, never anything read from the log, a request or a setting.
    static func trusted(_ markup: StaticString) -> HTML { HTML(stringLiteral: "\(markup)") }

    var description: String { rendered }

    /// Fragments one after the other.
    static func joined(_ parts: [HTML]) -> HTML {
        var out = HTML(stringLiteral: "")
        for part in parts { out.rendered += part.rendered }
        return out
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        mutating func appendLiteral(_ literal: String) { rendered += literal }

        /// Text: escaped.
        mutating func appendInterpolation(_ text: String) { rendered += HTMLText.escape(text) }

        /// Markup built the same way: inserted as is.
        mutating func appendInterpolation(_ html: HTML) { rendered += html.rendered }

        mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { rendered += part.rendered }
        }

        /// Numbers cannot carry markup; written with `description`.
        mutating func appendInterpolation<Number: BinaryInteger>(_ number: Number) { rendered += number.description }

        mutating func appendInterpolation(_ number: Double) {
            rendered += number.isFinite ? String(format: "%.1f", number) : "0"
        }
    }
}
