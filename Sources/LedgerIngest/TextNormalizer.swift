import Foundation

/// Cleans one submitted text value: line endings, trimming, control characters, Unicode NFC, length.
///
/// NFC because the same name typed on two devices may arrive composed or decomposed (`й` as one scalar or two);
/// stored and fingerprinted alike only if normalised. Control characters are refused, not stripped: they never come
/// from a person typing into a form, and silently editing what was sent would hide a broken integration.
enum TextNormalizer {
    enum Kind {
        /// One line: every control character is refused.
        case singleLine
        /// A textarea: `\n` and `\t` are allowed; `\r\n` and a lone `\r` become `\n`.
        case multiline
    }

    /// The cleaned value, or nil when nothing but whitespace was sent (an empty field is an absent field).
    /// `maxBytes` applies to the UTF-8 of the returned value.
    static func normalize(_ raw: String, kind: Kind, field: String, maxBytes: Int) throws(IngestRejection) -> String? {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in raw.unicodeScalars {
            let afterCR = previousWasCR
            previousWasCR = kind == .multiline && scalar == "\r"
            if kind == .multiline && scalar == "\r" {
                scalars.append("\n")
            } else if !(kind == .multiline && scalar == "\n" && afterCR) {
                scalars.append(scalar)
            }
        }
        let trimmed = trimmingWhitespace(scalars)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.contains(where: { isRefusedControl($0, kind: kind) }) { throw .controlCharacters(field) }
        let normalized = String(trimmed).precomposedStringWithCanonicalMapping
        guard normalized.utf8.count <= maxBytes else { throw .tooLong(field, max: maxBytes) }
        return normalized
    }

    /// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators (which break JavaScript string
    /// literals and many log viewers). A multiline value keeps `\n` and `\t`.
    static func isRefusedControl(_ scalar: Unicode.Scalar, kind: Kind) -> Bool {
        if kind == .multiline && (scalar == "\n" || scalar == "\t") { return false }
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// Without Unicode White_Space at either end (spaces, tabs, newlines, no-break and ideographic spaces).
    /// Returns a slice, not a copy: building a new view scalar by scalar (the collection initializer) went through
    /// generic `replaceSubrange` and was a third of ingest's CPU time in the HTTP benchmark's profile.
    static func trimmingWhitespace(_ scalars: String.UnicodeScalarView) -> Substring.UnicodeScalarView {
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !isWhitespace($0) })
        else { return Substring.UnicodeScalarView() }
        return scalars[first...last]
    }

    /// ASCII answered without the Unicode property lookup; everything else by `White_Space`.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || (0x09...0x0D).contains(scalar.value) }
        return scalar.properties.isWhitespace
    }
}
