/// The input layer of `POST /api/leads`: a request body in, a `LeadSubmission` or an `IngestRejection` out.
///
/// Pure: no networking, no storage, no clock. Every input returns (nothing here traps on input) and costs time and
/// memory bounded by `IngestLimits`: the body is measured before it is read, pairs and nesting are counted while
/// reading, and each field is measured before it is kept.
public enum SubmissionParser {
    /// - Parameters:
    ///   - body: the raw request body.
    ///   - contentType: the `Content-Type` header; `application/json` or `application/x-www-form-urlencoded`, an
    ///     optional `charset` only `utf-8`. Anything else, or nil: `415`.
    ///   - honeypotField: a field real visitors leave empty (hidden by CSS). Filled in: `honeypotTripped`. Never kept
    ///     in `extra`. An empty name turns the honeypot off.
    ///   - limits: the bounds; over `maxBodyBytes` is `413`, checked first.
    /// - Returns: the normalised submission, or the rejection to answer with (`400`, `413`, `415` or `422`).
    public static func parse(
        body: [UInt8], contentType: String?, honeypotField: String = "website", limits: IngestLimits = IngestLimits()
    ) -> Result<LeadSubmission, IngestRejection> {
        do {
            return .success(try submission(body: body, contentType: contentType, honeypotField: honeypotField, limits: limits))
        } catch {
            return .failure(error)
        }
    }

    /// Whether `contentType` is a plain HTML form post (`application/x-www-form-urlencoded`): such a client is a
    /// browser leaving the page, so it is answered with a redirect to a thank-you page when one is configured.
    public static func isPlainForm(contentType: String?) -> Bool {
        BodyFormat(contentType: contentType) == .form
    }

    private static func submission(
        body: [UInt8], contentType: String?, honeypotField: String, limits: IngestLimits
    ) throws(IngestRejection) -> LeadSubmission {
        guard body.count <= limits.maxBodyBytes else { throw .bodyTooLarge(limits.maxBodyBytes) }
        guard let format = BodyFormat(contentType: contentType) else { throw .unsupportedContentType }
        let fields =
            switch format {
            case .json: try FlatJSONReader.read(body, limits: limits)
            case .form: try FormBodyDecoder.decode(body, limits: limits)
            }
        return try SubmissionBuilder.build(fields, honeypotField: honeypotField, limits: limits)
    }
}
