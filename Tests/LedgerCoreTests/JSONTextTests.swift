import Foundation
import LedgerTesting
import Testing

@testable import LedgerCore

/// The hand-written writer of ingest's two bodies per lead against `JSONEncoder`, over random values: the log's body
/// must be the very bytes `EventJSON.encode` writes (the chain hashes them, and strict decoding compares a
/// re-encoding with them), and the sealed plaintext must read back as the same value.
struct JSONTextTests {
    /// Strings that stress escaping: quotes, backslashes, slashes, Cyrillic, emoji, line and paragraph separators,
    /// DEL, and (sometimes) control characters, which the log's writer hands back to `JSONEncoder`.
    static func text(_ generator: inout SeededGenerator, controls: Bool) -> String {
        let pieces = [
            "a", "Я", "\"", "\\", "/", "€", "😀", "\u{2028}", "\u{2029}", "\u{7f}", " ", "é", "e\u{301}", "<>&", "=?",
        ]
        let controlPieces = ["\n", "\t", "\r", "\u{0}", "\u{1f}", "\u{8}", "\u{c}"]
        var result = ""
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            if controls && Int.random(in: 0..<8, using: &generator) == 0 {
                result += controlPieces[Int.random(in: 0..<controlPieces.count, using: &generator)]
            } else {
                result += pieces[Int.random(in: 0..<pieces.count, using: &generator)]
            }
        }
        return result
    }

    static func maybe(_ generator: inout SeededGenerator, controls: Bool) -> String? {
        Bool.random(using: &generator) ? text(&generator, controls: controls) : nil
    }

    @Test func aLeadsBodyIsByteForByteWhatJSONEncoderWrites() throws {
        var generator = SeededGenerator(seed: 7)
        var written = 0
        for _ in 0..<2000 {
            let controls = Int.random(in: 0..<4, using: &generator) == 0
            let lead = LeadReceived(
                leadID: LeadID.make(
                    at: Timestamp(millisecondsSinceEpoch: Int64.random(in: 0...4_000_000_000_000, using: &generator))),
                receivedAt: Timestamp(millisecondsSinceEpoch: Int64.random(in: -5...4_000_000_000_000, using: &generator)),
                origin: Bool.random(using: &generator) ? .http : .import,
                formID: Self.maybe(&generator, controls: controls),
                utm: UTM(
                    source: Self.maybe(&generator, controls: controls), medium: Self.maybe(&generator, controls: controls),
                    campaign: Self.maybe(&generator, controls: controls), content: Self.maybe(&generator, controls: controls),
                    term: Self.maybe(&generator, controls: controls)),
                idempotencyKey: Self.maybe(&generator, controls: controls),
                personal: SealedPersonalData(box: Self.text(&generator, controls: false)),
                spam: Bool.random(using: &generator) ? .honeypot : nil)
            let expected = try EventJSON.encode(lead)
            if let text = lead.jsonText() {
                #expect(text == expected)
                written += 1
            } else {
                #expect(controls, "only a control character sends the body back to JSONEncoder")
            }
            #expect(try LedgerEvent.leadReceived(lead).encodedData() == expected)
        }
        #expect(written > 1000, "the writer, not the fallback, wrote most bodies")
    }

    @Test func aSealedPlaintextReadsBackAsTheSameValue() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<2000 {
            var extra: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                extra[Self.text(&generator, controls: true)] = Self.text(&generator, controls: true)
            }
            let personal = PersonalData(
                name: Self.maybe(&generator, controls: true), phone: Self.maybe(&generator, controls: true),
                email: Self.maybe(&generator, controls: true), comment: Self.maybe(&generator, controls: true),
                pageURL: Self.maybe(&generator, controls: true), extra: extra)
            let text = try #require(personal.jsonText())
            #expect(try JSONDecoder().decode(PersonalData.self, from: Data(text.utf8)) == personal)
        }
    }
}
