import Foundation

/// What a text in one language may still contain of the other: Russian alert texts keep AmoCRM, Telegram, OAuth,
/// command and setting names, ids and units as they are; English texts hold no Cyrillic at all.
enum LanguageCheck {
    /// Latin words allowed inside a Russian text besides ids (snake_case, ALL_CAPS, anything with a digit).
    static let allowedWords: Set<String> = ["AmoCRM", "Telegram", "OAuth", "HTTP", "pid", "id", "serve", "react"]

    /// Words of three or more Latin letters that are neither allowed nor ids: English that slipped into Russian.
    static func englishWords(_ text: String) -> [String] {
        var stripped = text
        // `leadledger verify` and the like are commands to type, not English; a lead id's hex groups ("adae") are
        // not words either.
        for pattern in [#"leadledger [a-z]+"#, #"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#] {
            while let match = stripped.range(of: pattern, options: .regularExpression) {
                stripped.replaceSubrange(match, with: " ")
            }
        }
        let words = stripped.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init)
        return words.filter { word in
            word.filter(\.isLetter).count >= 3 && !allowedWords.contains(word) && !word.contains("_")
                && !word.contains(where: \.isNumber) && word != word.uppercased()
        }
    }

    static func hasCyrillic(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }
}
