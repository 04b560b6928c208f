/// Every bound the ingest input layer enforces, in one place.
///
/// The endpoint faces the open internet, so each piece of work it does on a request is bounded by one of these.
/// An over-limit field is refused with `422` naming the field rather than silently truncated: a truncated phone
/// number or comment is a corrupted lead, and the site owner should hear about it while wiring the form.
/// All sizes are UTF-8 bytes of the value after trimming and Unicode normalisation (the phone: of the raw input).
public struct IngestLimits: Sendable, Equatable {
    /// Hard ceiling on `maxJSONDepth`, whatever is configured: nested JSON is read recursively, and this keeps the
    /// stack bounded even under a careless setting.
    public static let jsonDepthCeiling = 256

    /// Whole request body. Default 65 536 (64 KiB). Larger: `413`, checked before any parsing.
    public var maxBodyBytes: Int
    /// `name`. Default 256. Larger: `422` field `name`.
    public var maxNameBytes: Int
    /// `email`. Default 254 (the longest address SMTP can carry). Larger: `422` field `email`.
    public var maxEmailBytes: Int
    /// `phone`, as typed (spaces and brackets included). Default 64. Larger: `422` field `phone`.
    public var maxPhoneBytes: Int
    /// `comment`. Default 4000. Larger: `422` field `comment`.
    public var maxCommentBytes: Int
    /// `form_id` and each `utm_*` field. Default 512 (the log's `FieldLimits.shortText`). Larger: `422` naming the field.
    public var maxShortFieldBytes: Int
    /// `page_url` and `_redirect`. Default 2048. Larger: `422` naming the field.
    public var maxPageURLBytes: Int
    /// Unknown fields kept in `extra`. Default 32. More: `422` field `extra`.
    public var maxExtraFields: Int
    /// The name of one unknown field. Default 64. Longer: `422` field `extra`.
    public var maxExtraKeyBytes: Int
    /// The value of one unknown field. Default 1024. Longer: `422` naming the field (or `extra` when its name
    /// cannot be shown).
    public var maxExtraValueBytes: Int
    /// Key/value pairs read from a body, known and unknown, form or JSON (empty `&&` segments are not pairs).
    /// Default 200. Reading stops at the first pair over the limit: `422` without a field.
    public var maxFormPairs: Int
    /// Nesting depth of a JSON body; the top-level object is depth 1. Default 16, capped at `jsonDepthCeiling`.
    /// A field whose value is an object or array is refused with `422` naming the field; a value nesting deeper
    /// than this is not read to its end and is refused with `400` naming the field.
    public var maxJSONDepth: Int

    public init(
        maxBodyBytes: Int = 65_536, maxNameBytes: Int = 256, maxEmailBytes: Int = 254, maxPhoneBytes: Int = 64,
        maxCommentBytes: Int = 4000, maxShortFieldBytes: Int = 512, maxPageURLBytes: Int = 2048,
        maxExtraFields: Int = 32, maxExtraKeyBytes: Int = 64, maxExtraValueBytes: Int = 1024, maxFormPairs: Int = 200,
        maxJSONDepth: Int = 16
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxNameBytes = maxNameBytes
        self.maxEmailBytes = maxEmailBytes
        self.maxPhoneBytes = maxPhoneBytes
        self.maxCommentBytes = maxCommentBytes
        self.maxShortFieldBytes = maxShortFieldBytes
        self.maxPageURLBytes = maxPageURLBytes
        self.maxExtraFields = maxExtraFields
        self.maxExtraKeyBytes = maxExtraKeyBytes
        self.maxExtraValueBytes = maxExtraValueBytes
        self.maxFormPairs = maxFormPairs
        self.maxJSONDepth = maxJSONDepth
    }

    /// `maxJSONDepth` as actually enforced.
    var effectiveJSONDepth: Int { min(maxJSONDepth, Self.jsonDepthCeiling) }
}
