extension LeadReceived {
    /// The body byte for byte as `EventJSON.encode` writes it (keys sorted, absent optionals left out), without
    /// `JSONEncoder`; nil when a string needs an escape this writer leaves to `JSONEncoder` (a control character,
    /// which ingest refuses anyway). `LeadReceivedJSONTextTests` holds the two equal over random values.
    func jsonText() -> String? {
        var writer = JSONTextWriter(strings: .likeJSONEncoder)
        writer.beginObject()
        writer.member("form_id", formID)
        writer.member("idempotency_key", idempotencyKey)
        writer.member("lead_id", leadID.description)
        writer.member("origin", origin.rawValue)
        writer.key("personal")
        writer.beginObject()
        writer.member("alg", personal.algorithm)
        writer.member("box", personal.box)
        writer.endObject()
        writer.member("received_at", receivedAt.millisecondsSinceEpoch)
        writer.member("spam", spam?.rawValue)
        writer.key("utm")
        writer.beginObject()
        writer.member("campaign", utm.campaign)
        writer.member("content", utm.content)
        writer.member("medium", utm.medium)
        writer.member("source", utm.source)
        writer.member("term", utm.term)
        writer.endObject()
        writer.endObject()
        return writer.text
    }
}

extension PersonalData {
    /// The plaintext that gets sealed: valid JSON that `JSONDecoder` reads back into the same value. Nobody compares
    /// these bytes (they are encrypted), so `extra`'s keys are simply sorted, and every string is escaped in full.
    func jsonText() -> String? {
        var writer = JSONTextWriter(strings: .anyValid)
        writer.beginObject()
        writer.member("comment", comment)
        writer.member("email", email)
        writer.key("extra")
        writer.beginObject()
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) {
            writer.key(name)
            writer.string(value)
        }
        writer.endObject()
        writer.member("name", name)
        writer.member("page_url", pageURL)
        writer.member("phone", phone)
        writer.endObject()
        return writer.text
    }
}
