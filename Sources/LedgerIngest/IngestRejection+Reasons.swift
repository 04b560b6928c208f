/// The rejections the input layer produces, one constructor per reason, so wording and status stay consistent.
extension IngestRejection {
    static func bodyTooLarge(_ max: Int) -> IngestRejection {
        IngestRejection(status: 413, error: "The request body is larger than \(max) bytes.")
    }

    static let unsupportedContentType = IngestRejection(
        status: 415,
        error: "The body must be sent as application/json or application/x-www-form-urlencoded, in UTF-8.")

    static let invalidUTF8 = IngestRejection(status: 400, error: "The body is not valid UTF-8.")

    static func malformedJSON(_ reason: String, field: String? = nil) -> IngestRejection {
        IngestRejection(status: 400, error: "The body is not valid JSON: \(reason).", field: field)
    }

    static let notAnObject = IngestRejection(status: 400, error: "The JSON body must be an object of form fields.")

    static func jsonTooDeep(field: String?, max: Int) -> IngestRejection {
        IngestRejection(status: 400, error: "The field's JSON value nests deeper than \(max) levels.", field: field)
    }

    static func malformedForm(_ reason: String, field: String?) -> IngestRejection {
        IngestRejection(status: 400, error: "The form body is malformed: \(reason).", field: field)
    }

    static func tooManyPairs(_ max: Int) -> IngestRejection {
        IngestRejection(status: 422, error: "The body has more than \(max) fields.")
    }

    static func duplicateField(_ field: String) -> IngestRejection {
        IngestRejection(status: 422, error: "The field appears more than once; send each field once.", field: field)
    }

    static func nestedValue(_ field: String) -> IngestRejection {
        IngestRejection(
            status: 422, error: "The field must be a string, number or boolean, not an object or array.", field: field)
    }

    static func tooLong(_ field: String, max: Int) -> IngestRejection {
        IngestRejection(status: 422, error: "The field is longer than \(max) bytes.", field: field)
    }

    static func controlCharacters(_ field: String) -> IngestRejection {
        IngestRejection(status: 422, error: "The field contains control characters.", field: field)
    }

    static let invalidPhone = IngestRejection(
        status: 422,
        error: "The phone number is not valid: use a Russian number such as 8 916 123-45-67 or an international "
            + "number starting with +.",
        field: "phone")

    static let invalidEmail = IngestRejection(status: 422, error: "The email address is not valid.", field: "email")

    static let invalidPageURL = IngestRejection(
        status: 422, error: "The page URL must be an absolute http or https URL.", field: "page_url")

    static let contactMissing = IngestRejection(
        status: 422, error: "A phone number or an email address is required.", field: "phone")

    static func tooManyExtraFields(_ max: Int) -> IngestRejection {
        IngestRejection(status: 422, error: "The body has more than \(max) unknown fields.", field: "extra")
    }

    static func invalidExtraName(_ max: Int) -> IngestRejection {
        IngestRejection(
            status: 422,
            error: "An unknown field's name is empty, longer than \(max) bytes, or contains control characters.",
            field: "extra")
    }
}
