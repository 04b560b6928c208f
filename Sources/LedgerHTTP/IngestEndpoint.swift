import Foundation
import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerIngest
import LedgerStore
import Logging
import NIOCore

/// `POST /api/leads`: parse, validate, commit durably through group commit, then answer.
///
/// - Important: 201 and 200 are sent only after the `LeadReceived` event is committed with `synchronous=FULL`. Any
///   failure to persist answers 503; bad input answers 4xx and writes nothing.
struct IngestEndpoint: Sendable {
    let log: any EventStore
    let sink: any LeadSink
    let limits: IngestLimits
    let duplicateWindowSeconds: Int
    /// The form field that marks a submission as spam when filled in; empty = no honeypot.
    let honeypotField: String
    let redirect: FormRedirect
    let clock: any LedgerClock
    let metrics: ServerMetrics
    let logger: Logger

    /// IETF draft: the key is opaque text; we bound it like the log does and refuse control characters.
    static let idempotencyKeyHeader: HTTPField.Name? = HTTPField.Name("Idempotency-Key")

    func handle(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        let response = await process(request)
        metrics.ingest(duration: ContinuousClock.now - start)
        return response
    }

    private func process(_ request: Request) async -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch {
            return JSONResponse.error(.contentTooLarge, "The request body is larger than \(limits.maxBodyBytes) bytes.")
        }
        var key: String?
        if let name = Self.idempotencyKeyHeader, let raw = request.headers[name] {
            guard IdempotencyKeySyntax.isValid(raw) else {
                return JSONResponse.error(
                    .badRequest, "Idempotency-Key must be \(IdempotencyKeySyntax.requirement).", field: "Idempotency-Key")
            }
            key = raw
        }
        let contentType = request.headers[.contentType]
        let parsed = SubmissionParser.parse(
            body: Array(body.readableBytesView), contentType: contentType, honeypotField: honeypotField, limits: limits)
        let submission: LeadSubmission
        switch parsed {
        case .failure(let rejection):
            return JSONResponse.make(HTTPResponse.Status(code: rejection.status), rejection.jsonBody)
        case .success(let value):
            submission = value
        }
        let now = clock.now()
        let lead = NewLead(
            leadID: LeadID.make(at: now), receivedAt: now, origin: .http, formID: submission.formID, utm: submission.utm,
            idempotencyKey: key, personal: submission.personal, submissionFingerprint: submission.fingerprint,
            duplicateWindowStart: duplicateWindowSeconds > 0 ? now.adding(seconds: -Int64(duplicateWindowSeconds)) : nil,
            spam: submission.honeypotTripped ? .honeypot : nil)
        do {
            let receipt = try await sink.receive(lead)
            if receipt.duplicateReason == .doubleSubmission {
                metrics.lead(.doubleSubmission)
                logger.info("double submission answered with the earlier lead", metadata: ["lead.id": "\(receipt.leadID)"])
                return answer(.ok, receipt, contentType: contentType, requestedRedirect: submission.redirect)
            }
            if receipt.duplicate {
                if let original = try await log.leadKeys([receipt.leadID.description]).first?.submissionFingerprint,
                    original != submission.fingerprint
                {
                    return JSONResponse.error(
                        .unprocessableContent, "This Idempotency-Key was already used with a different request body.",
                        field: "Idempotency-Key")
                }
                metrics.lead(.idempotentReplay)
                return answer(.ok, receipt, contentType: contentType, requestedRedirect: submission.redirect)
            }
            // A bot gets the same answer as a person: telling it apart would teach it to skip the honeypot.
            metrics.lead(lead.spam == nil ? .created : .spam)
            if lead.spam != nil {
                logger.info("lead recorded as spam", metadata: ["lead.id": "\(receipt.leadID)", "spam": "honeypot"])
            } else {
                logger.debug("lead accepted", metadata: ["lead.id": "\(receipt.leadID)", "lead.seq": "\(receipt.seq)"])
            }
            return answer(.created, receipt, contentType: contentType, requestedRedirect: submission.redirect)
        } catch let error as GroupCommitError {
            logger.warning("lead refused: \(error)")
            return JSONResponse.error(
                .serviceUnavailable, "The ledger cannot take leads right now; retry shortly.", headers: [.retryAfter: "1"])
        } catch {
            logger.error("lead not recorded: \(error)")
            return JSONResponse.error(
                .serviceUnavailable, "The lead could not be recorded; retry shortly.", headers: [.retryAfter: "1"])
        }
    }

    /// The receipt as JSON, or, for a plain HTML form with a thank-you page, `303 See Other` to it. The redirect is
    /// only for a recorded lead: errors stay JSON, so a broken form shows its problem instead of a false "thank you".
    private func answer(
        _ status: HTTPResponse.Status, _ receipt: LeadReceipt, contentType: String?, requestedRedirect: String?
    ) -> Response {
        // Most posts are JSON with no thank-you page configured: they skip a second look at Content-Type.
        guard requestedRedirect != nil || redirect.defaultURL != nil, SubmissionParser.isPlainForm(contentType: contentType)
        else { return receiptResponse(status, receipt) }
        let location = redirect.location(requested: requestedRedirect)
        if location.refused {
            logger.warning(
                "_redirect not on LEADLEDGER_REDIRECT_ORIGINS; using the default", metadata: ["lead.id": "\(receipt.leadID)"])
        }
        guard let url = location.url else { return receiptResponse(status, receipt) }
        return Response(status: .seeOther, headers: [.location: url, .cacheControl: "no-store"])
    }

    /// Written as text, in the sorted-key form `JSONResponse.make(object:)` gives: through `JSONSerialization` this
    /// four-field answer took a tenth of a durable request's CPU and a fifth of the no-storage server's
    /// (docs/BENCHMARKS.md). Nothing in it needs escaping: the id is a UUID, the hash hex digits, both made here.
    private func receiptResponse(_ status: HTTPResponse.Status, _ receipt: LeadReceipt) -> Response {
        JSONResponse.make(
            status,
            #"{"hash":"\#(receipt.hash)","lead_id":"\#(receipt.leadID)","seq":\#(receipt.seq),"status":"accepted"}"#)
    }
}
