import Foundation
import LedgerCore

/// Turns the pairs read from a body into a `LeadSubmission`, field by field, or the first rejection.
///
/// Checks run in a fixed order (duplicates, then name, phone, email, comment, page_url, form_id, utm_*, _redirect,
/// unknown fields by name, then "phone or email"), so one body always gets the same answer.
///
/// Duplicate keys are **refused** (`422` naming the field), in JSON and in forms alike: with two `phone` values there is
/// no right one to keep, and parsers that keep the first or the last disagree, which an attacker can play against a
/// proxy. The cost is that a form posting several checkboxes under one name is refused until renamed (`interest_1`, ...).
struct SubmissionBuilder {
    private var fields: [String: RawField.Value] = [:]
    private let limits: IngestLimits

    static let redirectField = "_redirect"
    static let knownFields: Set<String> = [
        "name", "phone", "email", "comment", "form_id", "page_url", "utm_source", "utm_medium", "utm_campaign",
        "utm_content", "utm_term", redirectField,
    ]

    static func build(_ raw: [RawField], honeypotField: String, limits: IngestLimits) throws(IngestRejection)
        -> LeadSubmission
    {
        var builder = SubmissionBuilder(limits: limits)
        for field in raw {
            // Swift compares strings by canonical equivalence, so an NFC and an NFD spelling of one key collide here.
            guard builder.fields.updateValue(field.value, forKey: field.key) == nil else {
                throw .duplicateField(presentable(field.key) ?? "extra")
            }
        }
        return try builder.submission(honeypotField: honeypotField)
    }

    private init(limits: IngestLimits) {
        self.limits = limits
    }

    private mutating func submission(honeypotField: String) throws(IngestRejection) -> LeadSubmission {
        let honeypotTripped = honeypot(honeypotField)
        var personal = PersonalData()
        personal.name = try take("name", .singleLine, max: limits.maxNameBytes)
        if let phone = try take("phone", .singleLine, max: limits.maxPhoneBytes) {
            guard let e164 = PhoneNormalizer.e164(phone) else { throw .invalidPhone }
            personal.phone = e164
        }
        if let email = try take("email", .singleLine, max: limits.maxEmailBytes) {
            guard let normalized = EmailSyntax.normalized(email) else { throw .invalidEmail }
            // Lowercasing a Unicode domain can lengthen it (`İ` becomes two scalars): measure what is kept.
            guard normalized.utf8.count <= limits.maxEmailBytes else { throw .tooLong("email", max: limits.maxEmailBytes) }
            personal.email = normalized
        }
        personal.comment = try take("comment", .multiline, max: limits.maxCommentBytes)
        if let pageURL = try take("page_url", .singleLine, max: limits.maxPageURLBytes) {
            guard PageURLSyntax.isHTTPURL(pageURL) else { throw .invalidPageURL }
            personal.pageURL = pageURL
        }
        let formID = try take("form_id", .singleLine, max: limits.maxShortFieldBytes)
        let short = limits.maxShortFieldBytes
        let utm = UTM(
            source: try take("utm_source", .singleLine, max: short), medium: try take("utm_medium", .singleLine, max: short),
            campaign: try take("utm_campaign", .singleLine, max: short),
            content: try take("utm_content", .singleLine, max: short), term: try take("utm_term", .singleLine, max: short))
        let redirect = try take(Self.redirectField, .singleLine, max: limits.maxPageURLBytes)
        personal.extra = try extra()
        guard personal.phone != nil || personal.email != nil else { throw .contactMissing }
        return LeadSubmission(
            personal: personal, formID: formID, utm: utm, honeypotTripped: honeypotTripped, redirect: redirect)
    }

    /// Removes the honeypot from the fields (it is never stored) and says whether anything was typed into it.
    /// Its value is not validated: a bot's junk must not turn a recordable spam lead into a rejection.
    private mutating func honeypot(_ name: String) -> Bool {
        guard !name.isEmpty, let value = fields.removeValue(forKey: name) else { return false }
        switch value {
        case .text(let text): return text.unicodeScalars.contains { !$0.properties.isWhitespace }
        case .nested: return true
        case .null: return false
        }
    }

    private mutating func take(_ name: String, _ kind: TextNormalizer.Kind, max: Int) throws(IngestRejection) -> String? {
        guard let value = fields.removeValue(forKey: name) else { return nil }
        switch value {
        case .null: return nil
        case .nested: throw .nestedValue(name)
        case .text(let text): return try TextNormalizer.normalize(text, kind: kind, field: name, maxBytes: max)
        }
    }

    /// Whatever is left: unknown fields, kept because a landing page may send anything worth having. Values may span
    /// lines (an extra textarea); empty ones are dropped like any empty field.
    private mutating func extra() throws(IngestRejection) -> [String: String] {
        var extra: [String: String] = [:]
        let remaining = fields.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        for (key, value) in remaining {
            let shown = presentable(key) ?? "extra"
            let text: String
            switch value {
            case .null: continue
            case .nested: throw .nestedValue(shown)
            case .text(let raw): text = raw
            }
            guard
                let normalized = try TextNormalizer.normalize(
                    text, kind: .multiline, field: shown, maxBytes: limits.maxExtraValueBytes)
            else { continue }
            let name = key.precomposedStringWithCanonicalMapping
            guard !name.isEmpty, name.utf8.count <= limits.maxExtraKeyBytes,
                !name.unicodeScalars.contains(where: { TextNormalizer.isRefusedControl($0, kind: .singleLine) })
            else { throw .invalidExtraName(limits.maxExtraKeyBytes) }
            extra[name] = normalized
            guard extra.count <= limits.maxExtraFields else { throw .tooManyExtraFields(limits.maxExtraFields) }
        }
        return extra
    }
}
