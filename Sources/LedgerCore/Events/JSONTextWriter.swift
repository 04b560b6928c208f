/// Writes JSON text straight into bytes, for the two bodies ingest writes per lead.
///
/// Why not `JSONEncoder`: profiling `serve` under load put its two encodes per lead (the sealed plaintext and the
/// `LeadReceived` body) at about an eighth of what storage adds to a request; both bodies are flat and small, so a
/// writer that appends bytes does the same work in a fraction of the time (docs/BENCHMARKS.md).
struct JSONTextWriter {
    /// How strings are written.
    enum Strings {
        /// Exactly as `JSONEncoder` writes them, or not at all: a string with a control character (which this
        /// writer does not escape the way `JSONEncoder` does) makes `text` nil, and the caller uses `JSONEncoder`.
        case likeJSONEncoder
        /// Any valid JSON: control characters escaped as `\n`, `\t`, `\u001f` and so on.
        case anyValid
    }

    private var bytes: [UInt8] = []
    private var needsComma = false
    private var failed = false
    private let strings: Strings

    init(strings: Strings, capacity: Int = 512) {
        self.strings = strings
        bytes.reserveCapacity(capacity)
    }

    /// The text written, or nil when `likeJSONEncoder` met a string it leaves to `JSONEncoder`.
    var text: String? { failed ? nil : String(decoding: bytes, as: UTF8.self) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Starts a member; the caller writes its value next. Keys are the caller's constants, in sorted order.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A member whose key is data (a form's own field name), escaped like any string.
    mutating func key(_ name: String) {
        separate()
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20: control(byte)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func control(_ byte: UInt8) {
        guard strings == .anyValid else {
            failed = true
            return
        }
        switch byte {
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: Array("\\u00".utf8))
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0f)])
        }
    }

    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
            needsComma = false
        }
    }
}
