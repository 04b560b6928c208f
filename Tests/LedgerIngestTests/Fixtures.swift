import Foundation
import LedgerCore
import Testing

@testable import LedgerIngest

/// Bodies and shortcuts shared by the ingest tests.
enum Fixtures {
    static let jsonType = "application/json"
    static let formType = "application/x-www-form-urlencoded"

    /// A flat JSON object with string values, in the given order (duplicates kept, which a dictionary could not do).
    static func json(_ pairs: [(String, String)]) -> [UInt8] {
        Array(("{" + pairs.map { JSONText.quoted($0.0) + ":" + JSONText.quoted($0.1) }.joined(separator: ",") + "}").utf8)
    }

    /// A urlencoded form body, every byte outside the unreserved set percent-encoded (as browsers do, with `%20`).
    static func form(_ pairs: [(String, String)]) -> [UInt8] {
        Array(pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&").utf8)
    }

    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static func parseJSON(
        _ pairs: [(String, String)], honeypotField: String = "website", limits: IngestLimits = IngestLimits()
    ) -> Result<LeadSubmission, IngestRejection> {
        SubmissionParser.parse(body: json(pairs), contentType: jsonType, honeypotField: honeypotField, limits: limits)
    }

    static func parseJSON(_ text: String, limits: IngestLimits = IngestLimits()) -> Result<LeadSubmission, IngestRejection> {
        SubmissionParser.parse(body: Array(text.utf8), contentType: jsonType, limits: limits)
    }

    static func parseForm(
        _ pairs: [(String, String)], honeypotField: String = "website", limits: IngestLimits = IngestLimits()
    ) -> Result<LeadSubmission, IngestRejection> {
        SubmissionParser.parse(body: form(pairs), contentType: formType, honeypotField: honeypotField, limits: limits)
    }

    static func parseForm(_ text: String, limits: IngestLimits = IngestLimits()) -> Result<LeadSubmission, IngestRejection> {
        SubmissionParser.parse(body: Array(text.utf8), contentType: formType, limits: limits)
    }

    static let phone = ("phone", "8 (916) 123-45-67")
}

extension Result where Success == LeadSubmission, Failure == IngestRejection {
    var submission: LeadSubmission? {
        if case .success(let submission) = self { return submission }
        return nil
    }

    var rejection: IngestRejection? {
        if case .failure(let rejection) = self { return rejection }
        return nil
    }
}
