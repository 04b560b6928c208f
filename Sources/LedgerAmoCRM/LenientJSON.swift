/// Decoding helpers that accept the shapes AmoCRM is seen to send, instead of failing a whole reply over one field.

/// An id sent as a number or as a numeric string.
struct LenientInt64: Decodable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer id")
        }
    }
}

/// `request_id` in replies: an array (`["0190…"]`, several ids when leads were merged), or a plain string or number.
struct RequestIDList: Decodable {
    var values: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([LenientString].self) {
            values = list.compactMap(\.value)
        } else if let single = try? container.decode(LenientString.self), let value = single.value {
            values = [value]
        } else {
            values = []
        }
    }
}

/// A string, or a number or boolean as text; anything else (objects, null) decodes as nil.
struct LenientString: Decodable {
    var value: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else if let number = try? container.decode(Double.self) {
            value = String(number)
        } else if let flag = try? container.decode(Bool.self) {
            value = String(flag)
        } else {
            value = nil
        }
    }
}

extension KeyedDecodingContainer {
    func lenientString(_ key: Key) -> String? {
        (try? decodeIfPresent(LenientString.self, forKey: key))?.value
    }

    func lenientInt64(_ key: Key) -> Int64? {
        (try? decodeIfPresent(LenientInt64.self, forKey: key))?.value
    }

    func lenientBool(_ key: Key) -> Bool? {
        (try? decodeIfPresent(Bool.self, forKey: key)) ?? nil
    }
}
