/// The two body encodings `POST /api/leads` reads, chosen by `Content-Type`.
enum BodyFormat: Sendable, Equatable {
    case json
    case form

    /// Longer `Content-Type` values are refused unread; real ones are a few dozen bytes.
    static let maxContentTypeBytes = 256

    /// `application/json` or `application/x-www-form-urlencoded`, case-insensitive, with optional parameters.
    /// A `charset` parameter, when present, must be UTF-8: the only encoding the ledger decodes. Nil otherwise (415).
    init?(contentType: String?) {
        guard let contentType, contentType.utf8.count <= Self.maxContentTypeBytes else { return nil }
        var parts = contentType.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingASCIIWhitespace().lowercased()
        }
        let mediaType = parts.removeFirst()
        switch mediaType {
        case "application/json": self = .json
        case "application/x-www-form-urlencoded": self = .form
        default: return nil
        }
        for parameter in parts where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            guard pair[0].trimmingASCIIWhitespace() == "charset" else { continue }
            var value = pair[1].trimmingASCIIWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            guard value == "utf-8" || value == "utf8" else { return nil }
        }
    }
}

extension StringProtocol {
    /// Without spaces and tabs at either end (HTTP's optional whitespace).
    func trimmingASCIIWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex..<endIndex]
        }
        return self[first...last]
    }
}
