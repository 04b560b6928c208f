/// A pragmatic email syntax check: catches typos and junk, not every address RFC 5322 allows.
///
/// Deliberately refused: quoted local parts, comments, domain literals (`user@[1.2.3.4]`), single-label domains.
/// Nobody fills those into a landing-page form, and refusing them keeps the rule readable.
///
/// Internationalised domains are **accepted in Unicode** (`иван@почта.рф`): `.рф` addresses are common with the
/// ledger's Russian audience, and refusing them would lose real leads. They are not converted to punycode, so
/// `почта.рф` and `xn--80a1acny.xn--p1ai` stay two different spellings (both accepted). Non-ASCII letters are also
/// accepted in the local part (RFC 6531).
public enum EmailSyntax {
    /// RFC 5321: local part at most 64 octets.
    static let maxLocalBytes = 64
    /// RFC 1035: a domain name at most 253 octets in text form, a label at most 63. Unicode labels are measured in
    /// UTF-8 bytes, which is stricter than their punycode form only for very long labels.
    static let maxDomainBytes = 253
    static let maxLabelBytes = 63

    /// The address with its domain lowercased and its local part as typed (some servers treat it case-sensitively),
    /// or nil when the syntax is not acceptable. Expects trimmed input: any whitespace is refused.
    public static func normalized(_ raw: String) -> String? {
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0]
        let domain = parts[1].lowercased()
        guard isLocalPart(local), isDomain(domain) else { return nil }
        return local + "@" + domain
    }

    private static func isLocalPart(_ local: Substring) -> Bool {
        guard !local.isEmpty, local.utf8.count <= maxLocalBytes else { return false }
        guard local.first != ".", local.last != ".", !local.contains("..") else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            if scalar.isASCII {
                return isASCIIAlphanumeric(scalar) || "!#$%&'*+/=?^_`{|}~.-".unicodeScalars.contains(scalar)
            }
            return isInternationalLetter(scalar)
        }
    }

    private static func isDomain(_ domain: String) -> Bool {
        guard domain.utf8.count <= maxDomainBytes else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= maxLabelBytes else { return false }
            guard label.first != "-", label.last != "-" else { return false }
            let valid = label.unicodeScalars.allSatisfy {
                $0.isASCII ? isASCIIAlphanumeric($0) || $0 == "-" : isInternationalLetter($0)
            }
            guard valid else { return false }
        }
        // A top-level domain is never all digits: `user@1.2.3.4` is an IP address typed where a domain belongs.
        guard let top = labels.last, !top.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
        return true
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Letters, digits and combining marks of any script: what IDNA labels are made of, without IDNA's full tables.
    private static func isInternationalLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark,
            .spacingMark, .decimalNumber:
            true
        default: false
        }
    }
}
