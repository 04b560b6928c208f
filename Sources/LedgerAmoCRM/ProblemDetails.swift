import Foundation

/// AmoCRM's error body (`application/problem+json`): `title`, `detail`, `status`, OAuth's `hint`, and for 400
/// validation failures `validation-errors` grouped by the `request_id` of the lead at fault.
///
/// Every member is optional and wrongly typed members are ignored: an error reply is the worst place to fail parsing.
struct ProblemDetails: Decodable {
    var title: String?
    var detail: String?
    var hint: String?
    var validationErrors: [ValidationErrorGroup]

    enum CodingKeys: String, CodingKey {
        case title, detail, hint
        case validationErrors = "validation-errors"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = container.lenientString(.title)
        detail = container.lenientString(.detail)
        hint = container.lenientString(.hint)
        validationErrors = (try? container.decodeIfPresent([ValidationErrorGroup].self, forKey: .validationErrors)) ?? []
    }

    /// Nil unless the body is a JSON object with at least a title, detail, hint or validation errors.
    static func decode(_ body: [UInt8]) -> ProblemDetails? {
        guard !body.isEmpty, let problem = try? JSONDecoder().decode(ProblemDetails.self, from: Data(body)) else { return nil }
        guard problem.title != nil || problem.detail != nil || problem.hint != nil || !problem.validationErrors.isEmpty
        else { return nil }
        return problem
    }

    /// `title: detail (hint)`, skipping parts that are missing or repeat the title.
    var summary: String? {
        var parts: [String] = []
        for part in [title, detail, hint] {
            if let part, !part.isEmpty, !parts.contains(part) { parts.append(part) }
        }
        guard let first = parts.first else { return nil }
        return parts.count == 1 ? first : first + ": " + parts.dropFirst().joined(separator: "; ")
    }
}

/// The errors of one lead of a batch.
struct ValidationErrorGroup: Decodable {
    var requestIDs: [String]
    var errors: [ValidationError]

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id"
        case errors
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestIDs = (try? container.decodeIfPresent(RequestIDList.self, forKey: .requestID))?.values ?? []
        errors = (try? container.decodeIfPresent([ValidationError].self, forKey: .errors)) ?? []
    }

    /// `code at path` per error. The per-error `detail` is left out on purpose: it may quote the rejected value,
    /// which is personal data, and this reason is stored in clear.
    var reason: String {
        let parts = errors.map { error in
            switch (error.code, error.path) {
            case (let code?, let path?): "\(code) at \(path)"
            case (let code?, nil): code
            case (nil, let path?): "invalid \(path)"
            case (nil, nil): "invalid"
            }
        }
        return parts.isEmpty ? "rejected by validation" : parts.joined(separator: "; ")
    }
}

struct ValidationError: Decodable {
    var code: String?
    var path: String?

    enum CodingKeys: String, CodingKey {
        case code, path
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = container.lenientString(.code)
        path = container.lenientString(.path)
    }
}
