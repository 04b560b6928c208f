/// Why a submitted body was refused, in the one shape every error has for the client: `{"error": "...", "field": "..."}`.
///
/// `error` is a sentence for the site owner wiring the form. It never repeats the submitted value: that could be
/// long, binary, or a person's phone number, and rejections end up in browser consoles and logs.
public struct IngestRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400 (unreadable body), 413 (too large), 415 (wrong content type) or 422 (readable but invalid).
    public var status: Int
    public var error: String
    /// The offending field's name as sent (`phone`, `utm_source`, `extra`, ...), or nil when the body as a whole is
    /// at fault.
    public var field: String?

    public init(status: Int, error: String, field: String? = nil) {
        self.status = status
        self.error = error
        self.field = field
    }

    /// `{"error":"…","field":"…"}`, `field` left out when nil; escaped so that any JSON parser (and a `<script>`
    /// block) reads it back.
    public var jsonBody: String {
        var out = #"{"error":"# + JSONText.quoted(error)
        if let field { out += #","field":"# + JSONText.quoted(field) }
        return out + "}"
    }

    public var description: String {
        "\(status) \(field.map { "\($0): " } ?? "")\(error)"
    }
}

/// JSON string escaping for the rejection body.
enum JSONText {
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsUnicodeEscape(scalar):
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Controls must be escaped in JSON; DEL, C1 and the line separators are escaped too so the body is safe to
    /// print and to embed in a `<script>` block.
    private static func needsUnicodeEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([12, 8, 4, 0].map { digits[Int((value >> UInt32($0)) & 0xF)] })
    }
}
