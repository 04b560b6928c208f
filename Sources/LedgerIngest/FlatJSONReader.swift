import LedgerCore

/// Reads a JSON body that must be one flat object of form fields.
///
/// Hand-written rather than `JSONSerialization`/`JSONDecoder` because the endpoint needs what they do not give:
/// duplicate keys detected (they silently keep one), numbers kept as their literal text (`89161234567` must not pass
/// through a `Double`), a bound on members and on nesting enforced while reading, and the name of the field at fault.
///
/// Strict RFC 8259: no comments, no trailing commas, no byte-order mark, no raw control characters in strings,
/// no lone surrogate escapes. Any of these is `400`. Values nested in a field are read through (bounded by
/// `maxJSONDepth`) so that a malformed body is `400` wherever the error sits, then refused by name with `422`.
struct FlatJSONReader {
    private let bytes: [UInt8]
    private let maxDepth: Int
    private let maxMembers: Int
    private var index = 0

    static func read(_ body: [UInt8], limits: IngestLimits) throws(IngestRejection) -> [RawField] {
        guard String(validating: body, as: UTF8.self) != nil else { throw .invalidUTF8 }
        var reader = FlatJSONReader(bytes: body, maxDepth: limits.effectiveJSONDepth, maxMembers: limits.maxFormPairs)
        return try reader.readObject()
    }

    private init(bytes: [UInt8], maxDepth: Int, maxMembers: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.maxMembers = maxMembers
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func readObject() throws(IngestRejection) -> [RawField] {
        skipWhitespace()
        guard let first = current else { throw .malformedJSON("the body is empty") }
        guard first == UInt8(ascii: "{") else { throw .notAnObject }
        index += 1
        var fields: [RawField] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw .malformedJSON("expected a field name in quotes") }
                let key = try readString()
                guard fields.count < maxMembers else { throw .tooManyPairs(maxMembers) }
                try expect(":", "expected : after a field name", field: key)
                skipWhitespace()
                fields.append(RawField(key: key, value: try readMemberValue(key: key)))
                skipWhitespace()
                if try separatorEndsContainer(closer: "}", field: key) { break }
            }
        }
        skipWhitespace()
        guard index == bytes.count else { throw .malformedJSON("unexpected text after the object") }
        return fields
    }

    private mutating func readMemberValue(key: String) throws(IngestRejection) -> RawField.Value {
        switch current {
        case UInt8(ascii: "\""): return .text(try readString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipValue(depth: 2, field: key)
            return .nested
        case UInt8(ascii: "n"):
            try readLiteral("null", field: key)
            return .null
        case UInt8(ascii: "t"):
            try readLiteral("true", field: key)
            return .text("true")
        case UInt8(ascii: "f"):
            try readLiteral("false", field: key)
            return .text("false")
        default: return .text(try readNumber(field: key))
        }
    }

    /// Reads any value, validating it, without keeping it. `depth` is the depth a container here would have.
    private mutating func skipValue(depth: Int, field: String) throws(IngestRejection) {
        guard let byte = current else { throw .malformedJSON("the body ends inside a value", field: presentable(field)) }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth <= maxDepth else { throw .jsonTooDeep(field: presentable(field), max: maxDepth) }
            let isObject = byte == UInt8(ascii: "{")
            let closer: Unicode.Scalar = isObject ? "}" : "]"
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: closer) {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard current == UInt8(ascii: "\"") else {
                        throw .malformedJSON("expected a name in quotes", field: presentable(field))
                    }
                    _ = try readString()
                    try expect(":", "expected : after a name", field: field)
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1, field: field)
                skipWhitespace()
                if try separatorEndsContainer(closer: closer, field: field) { return }
            }
        case UInt8(ascii: "\""): _ = try readString()
        case UInt8(ascii: "n"): try readLiteral("null", field: field)
        case UInt8(ascii: "t"): try readLiteral("true", field: field)
        case UInt8(ascii: "f"): try readLiteral("false", field: field)
        default: _ = try readNumber(field: field)
        }
    }

    /// After a member or element: `,` (more follow, false) or the closer (done, true).
    private mutating func separatorEndsContainer(closer: Unicode.Scalar, field: String) throws(IngestRejection) -> Bool {
        switch current {
        case UInt8(ascii: ","):
            index += 1
            return false
        case UInt8(ascii: closer):
            index += 1
            return true
        default: throw .malformedJSON("expected , or \(closer)", field: presentable(field))
        }
    }

    private mutating func expect(_ scalar: Unicode.Scalar, _ reason: String, field: String) throws(IngestRejection) {
        skipWhitespace()
        guard current == UInt8(ascii: scalar) else { throw .malformedJSON(reason, field: presentable(field)) }
        index += 1
    }

    private mutating func readLiteral(_ literal: String, field: String) throws(IngestRejection) {
        for byte in literal.utf8 {
            guard current == byte else { throw .malformedJSON("unknown literal", field: presentable(field)) }
            index += 1
        }
    }

    /// A number's literal text, checked against the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func readNumber(field: String) throws(IngestRejection) -> String {
        let start = index
        let invalid = IngestRejection.malformedJSON("expected a value", field: presentable(field))
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            guard skipDigits() > 0 else { throw invalid }
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw invalid }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw invalid }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
        return index - start
    }

    /// A string token starting at its opening quote, unescaped. The body was checked to be UTF-8, and quotes and
    /// backslashes are ASCII, so raw bytes between them are copied as they are.
    private mutating func readString() throws(IngestRejection) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw .malformedJSON("a string is not closed") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"): try readEscape(into: &out)
            case 0..<0x20: throw .malformedJSON("a string contains a raw control character")
            default: out.append(byte)
            }
        }
    }

    private mutating func readEscape(into out: inout [UInt8]) throws(IngestRejection) {
        guard let byte = current else { throw .malformedJSON("a string is not closed") }
        index += 1
        if let replacement = Self.simpleEscapes[byte] {
            out.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw .malformedJSON("unknown escape in a string") }
        var value = try readHex4()
        if (0xD800...0xDBFF).contains(value) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw .malformedJSON("a lone surrogate escape")
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw .malformedJSON("a lone surrogate escape") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw .malformedJSON("a lone surrogate escape") }
        UTF8.encode(scalar) { out.append($0) }
    }

    /// The one-character escapes and the bytes they stand for.
    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    private mutating func readHex4() throws(IngestRejection) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Hex.nibble(byte) else {
                throw .malformedJSON("\\u is not followed by four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }
}
