import Crypto
import LedgerCore

extension LeadSubmission {
    /// SHA-256 (lowercase hex) of `canonicalEncoding`: what "the same body" means for `Idempotency-Key`.
    ///
    /// It is computed over the normalised submission, not the raw bytes, so a lead posted as JSON and again as a form,
    /// or with the phone typed two ways, has one fingerprint. Every field takes part, `honeypotTripped` and
    /// `redirect` included, so equal fingerprints mean equal submissions.
    public var fingerprint: String {
        Hex.encode(SHA256.hash(data: canonicalEncoding))
    }

    /// The bytes hashed by `fingerprint`. Version 1 layout:
    ///
    /// - the ASCII tag `LLSUB1`;
    /// - in this order: name, phone, email, comment, page_url, form_id, utm source, medium, campaign, content, term,
    ///   redirect — each absent as byte `0x00`, present as byte `0x01`, its UTF-8 length as 4 bytes big-endian, and
    ///   its UTF-8 bytes;
    /// - the honeypot flag as one byte `0x00` or `0x01`;
    /// - the number of `extra` entries as 4 bytes big-endian, then each entry in ascending byte order of its key's
    ///   UTF-8: the key and the value, each as 4-byte length and bytes.
    ///
    /// Length prefixes keep field boundaries apart. Strings are hashed as stored; the parser stores NFC, so
    /// canonically equivalent input hashes alike.
    var canonicalEncoding: [UInt8] {
        var out = Array("LLSUB1".utf8)
        let optionals = [
            personal.name, personal.phone, personal.email, personal.comment, personal.pageURL, formID, utm.source,
            utm.medium, utm.campaign, utm.content, utm.term, redirect,
        ]
        for value in optionals {
            if let value {
                out.append(1)
                appendLengthPrefixed(value, to: &out)
            } else {
                out.append(0)
            }
        }
        out.append(honeypotTripped ? 1 : 0)
        appendUInt32(personal.extra.count, to: &out)
        let entries = personal.extra.map { (key: Array($0.key.utf8), value: $0.value) }
        for entry in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            appendUInt32(entry.key.count, to: &out)
            out.append(contentsOf: entry.key)
            appendLengthPrefixed(entry.value, to: &out)
        }
        return out
    }
}

private func appendLengthPrefixed(_ text: String, to out: inout [UInt8]) {
    appendUInt32(text.utf8.count, to: &out)
    out.append(contentsOf: text.utf8)
}

private func appendUInt32(_ value: Int, to out: inout [UInt8]) {
    let value = UInt32(clamping: value)
    out.append(contentsOf: [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
}
