/// Turns a phone number as people type it into E.164 (`+79161234567`), or refuses it.
///
/// The ledger's audience is Russian: numbers without a `+` are read with Russian habits, where the trunk prefix `8`
/// stands for `+7` and mobile numbers are often typed without any prefix. Any other country needs its leading `+`,
/// because without it a foreign number cannot be told from a mistyped Russian one.
public enum PhoneNormalizer {
    /// E.164 allows at most 15 digits after the `+`.
    static let maxDigits = 15
    /// The shortest international number accepted after `+` (country code included); shorter ones are typos.
    static let minInternationalDigits = 8

    /// Accepted, after removing separators (space, no-break spaces, `-` and other dashes, `.`, `(`, `)`):
    /// - 11 digits starting with `8` or `7` → `+7` and the last 10;
    /// - 10 digits starting with `9` (a Russian mobile without prefix) → `+7` and the 10 digits;
    /// - `+` first, then 8 to 15 digits not starting with `0` → `+` and the digits; with country code `7`, exactly 11.
    ///
    /// Refused: letters, `+` anywhere but first, ASCII digits only (no full-width or other scripts), anything else.
    public static func e164(_ raw: String) -> String? {
        var digits: [UInt8] = []
        var plus = false
        var seenAnything = false
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "0"..."9":
                // Bounded: anything longer than E.164 is refused as soon as it is seen.
                guard digits.count < maxDigits else { return nil }
                digits.append(UInt8(scalar.value))
            case "+":
                guard !seenAnything else { return nil }
                plus = true
            case " ", "\u{00A0}", "\u{202F}", "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}",
                "\u{2212}", ".", "(", ")":
                break
            default:
                return nil
            }
            seenAnything = true
        }
        let text = String(decoding: digits, as: UTF8.self)
        if plus {
            guard digits.count >= minInternationalDigits, digits.first != UInt8(ascii: "0") else { return nil }
            if digits.first == UInt8(ascii: "7") && digits.count != 11 { return nil }
            return "+" + text
        }
        switch (digits.count, digits.first) {
        case (11, UInt8(ascii: "8")), (11, UInt8(ascii: "7")): return "+7" + text.dropFirst()
        case (10, UInt8(ascii: "9")): return "+7" + text
        default: return nil
        }
    }
}
