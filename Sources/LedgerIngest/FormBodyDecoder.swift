import LedgerCore

/// Reads an `application/x-www-form-urlencoded` body (what a plain HTML `<form method="post">` sends).
///
/// `&` separates pairs, the first `=` separates key from value, `+` is a space, `%XX` a byte; the decoded bytes must
/// be UTF-8 (browsers encode Cyrillic that way on a UTF-8 page). Unlike the WHATWG parser, a `%` not followed by two
/// hex digits is refused rather than kept literally: browsers always escape `%`, so a bare one means a broken client.
enum FormBodyDecoder {
    static func decode(_ body: [UInt8], limits: IngestLimits) throws(IngestRejection) -> [RawField] {
        var fields: [RawField] = []
        var pairs = 0
        var start = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: UInt8(ascii: "&")) ?? body.count
            defer { start = end + 1 }
            guard end > start else { continue }
            pairs += 1
            guard pairs <= limits.maxFormPairs else { throw .tooManyPairs(limits.maxFormPairs) }
            let segment = body[start..<end]
            let equals = segment.firstIndex(of: UInt8(ascii: "="))
            let keyBytes = segment[..<(equals ?? end)]
            let valueBytes = equals.map { segment[($0 + 1)...] } ?? []
            guard let key = try component(keyBytes, field: nil) else { throw .invalidUTF8 }
            guard let value = try component(valueBytes, field: key) else {
                throw IngestRejection(status: 400, error: "The field is not valid UTF-8.", field: presentable(key))
            }
            fields.append(RawField(key: key, value: .text(value)))
        }
        return fields
    }

    /// Percent- and plus-decoded text, or nil when the bytes are not UTF-8.
    private static func component(_ bytes: ArraySlice<UInt8>, field: String?) throws(IngestRejection) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let high = Hex.nibble(bytes[index + 1]), let low = Hex.nibble(bytes[index + 2])
                else { throw .malformedForm("a % is not followed by two hex digits", field: field.flatMap(presentable)) }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}

/// A key short and clean enough to be shown back as a rejection's `field`; nil otherwise (the caller then names
/// nothing, or `extra`). 64 bytes matches the default `maxExtraKeyBytes`; known field names are far shorter.
func presentable(_ key: String) -> String? {
    guard !key.isEmpty, key.utf8.count <= 64 else { return nil }
    guard !key.unicodeScalars.contains(where: { TextNormalizer.isRefusedControl($0, kind: .singleLine) }) else {
        return nil
    }
    return key
}
