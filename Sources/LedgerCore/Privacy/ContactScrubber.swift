/// Masks what looks like a phone number or an email address in free text that leaves the ledger (Telegram alerts).
///
/// Alert texts are the ledger's own words, but some quote what AmoCRM answered, and a CRM's validation message may
/// echo the value it refused. The owner's chat is not the place for a customer's phone, so anything shaped like one is
/// masked at that boundary: a run of digits with the usual separators holding 7 or more digits becomes `[phone]`,
/// a token with an `@` between a local part and a dotted domain becomes `[email]`. ISO dates and ids stay readable: UUIDs and
/// hex digests contain letters that break the digit run, and CRM ids have fewer than 7 digits only sometimes, so a
/// long numeric id may be masked too — the safe side.
public enum ContactScrubber {
    public static func scrub(_ text: String) -> String {
        maskPhones(maskEmails(text))
    }

    static func maskEmails(_ text: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            out += looksLikeEmail(word) ? "[email]" : word
            word = ""
        }
        for character in text {
            if character.isWhitespace || "<>()[]{},;\"'".contains(character) {
                flush()
                out.append(character)
            } else {
                word.append(character)
            }
        }
        flush()
        return out
    }

    static func looksLikeEmail(_ word: String) -> Bool {
        let trimmed = word.trimmingTrailingPunctuation()
        guard let at = trimmed.firstIndex(of: "@"), at != trimmed.startIndex else { return false }
        let domain = trimmed[trimmed.index(after: at)...]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    /// `2026-11-29`: alert texts carry ISO dates, which are not phone numbers.
    static func isDate(_ run: ArraySlice<Character>) -> Bool {
        let shape = run.map { $0.isNumber ? "d" : String($0) }.joined()
        return shape == "dddd-dd-dd"
    }

    static func maskPhones(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character.isASCII && character.isNumber || character == "+" else {
                out.append(character)
                index += 1
                continue
            }
            // The longest run of digits and phone separators from here.
            var end = index
            var digits = 0
            while end < characters.count,
                characters[end].isASCII && characters[end].isNumber || " -()+".contains(characters[end])
            {
                if characters[end].isNumber { digits += 1 }
                end += 1
            }
            // Trailing separators are not part of the number.
            while end > index, !characters[end - 1].isNumber { end -= 1 }
            if end > index, isDate(characters[index..<end]) {
                out += String(characters[index..<end])
                index = end
            } else if digits >= 7, end > index {
                out += "[phone]"
                index = end
            } else {
                out.append(character)
                index += 1
            }
        }
        return out
    }
}

extension String {
    fileprivate func trimmingTrailingPunctuation() -> Substring {
        var end = endIndex
        while end > startIndex, ".!?:".contains(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
