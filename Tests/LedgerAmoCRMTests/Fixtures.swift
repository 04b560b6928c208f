import Foundation
import LedgerAmoCRM
import LedgerCore
import LedgerOutbound

/// Shared builders: leads with fixed ids and realistic AmoCRM replies.
enum Fixture {
    /// 2026-01-01T00:00:00Z.
    static let now = Timestamp(millisecondsSinceEpoch: 1_767_225_600_000)

    static func leadID(_ number: Int) -> LeadID {
        let hex = String(number, radix: 16)
        let suffix = String(repeating: "0", count: 12 - hex.count) + hex
        return LeadID("019b7a1c-0000-7000-8000-\(suffix)")!
    }

    static func lead(
        _ number: Int, name: String? = "Иван Петров", phone: String? = "+79161234567", email: String? = "ivan@example.ru",
        comment: String? = nil, pageURL: String? = nil, formID: String? = "callback", utm: UTM = UTM()
    ) -> OutgoingLead {
        OutgoingLead(
            leadID: leadID(number), receivedAt: now, formID: formID, utm: utm,
            personal: PersonalData(name: name, phone: phone, email: email, comment: comment, pageURL: pageURL))
    }

    static func reply(
        _ status: Int, _ body: String = "", contentType: String? = "application/hal+json", retryAfter: String? = nil
    ) -> HTTPExchange {
        .response(HTTPReply(status: status, text: body, contentType: contentType, retryAfter: retryAfter, receivedAt: now))
    }

    /// Parses a request body built by the code under test.
    static func json(_ bytes: [UInt8]) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [[String: Any]] ?? []
    }

    static let nginx403 = """
        <html>
        <head><title>403 Forbidden</title></head>
        <body>
        <center><h1>403 Forbidden</h1></center>
        <hr><center>nginx</center>
        </body>
        </html>
        """

    static let html429 = """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>429 Too Many Requests</title></head>
        <body><h1>Too Many Requests</h1></body></html>
        """
}
