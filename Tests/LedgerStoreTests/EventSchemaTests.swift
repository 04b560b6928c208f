import Foundation
import LedgerCore
import LedgerStore
import LedgerTesting
import Testing

/// The JSON Schemas in `schemas/` against what the code really writes: every event of a generated history validates
/// (through `tools/validate_events.py`), every schema rejects malformed bodies that the Swift decoder also rejects, and
/// the Python snippet in `schemas/hash-chain.md` recomputes every hash of a real log.
///
/// Needs `python3` with the `jsonschema` package (`make setup` installs it); without it these tests fail, loudly.
struct EventSchemaTests {
    /// The package root, from this file's path (Tests/LedgerStoreTests/EventSchemaTests.swift).
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let validator = root.appendingPathComponent("tools/validate_events.py").path

    // MARK: - Every written event validates

    @Test func everyWrittenEventValidatesAgainstItsSchema() throws {
        try Self.requireJSONSchemaPackage()
        let fixture = try TemporaryLog()
        // 400 leads, not fewer: the generator raises one AlertRaised per 400 leads, and every type must occur.
        var generator = LeadHistoryGenerator(log: fixture.log, clock: fixture.clock, seed: 2026_1129)
        try generator.generate(leads: 400)
        // Erase one more lead through the operator's path, besides the generator's own erasures.
        let written = try fixture.log.events(EventQuery(limit: 10_000))
        let erasedAlready = Set(written.filter { $0.type == EventType.leadErased.rawValue }.map(\.stream))
        let victim = try #require(
            written.first { $0.type == EventType.leadReceived.rawValue && !erasedAlready.contains($0.stream) })
        let outcome = try fixture.log.erase(try #require(LeadID(victim.stream)), reason: "schema test: consent withdrawn")
        #expect(!outcome.alreadyErased)

        let events = try fixture.log.events(EventQuery(limit: 10_000))
        let total = try fixture.log.count()
        #expect(Int64(events.count) == total, "the query must return the whole log")
        #expect(Set(events.map(\.type)) == Set(EventType.allCases.map(\.rawValue)), "every event type must occur")
        let failures = try events.filter { $0.type == EventType.syncFailed.rawValue }.map { try Self.object($0.data) }
        #expect(failures.contains { $0["next_attempt_at"] != nil && $0["retryable"] == .bool(true) }, "a retryable SyncFailed")
        #expect(failures.contains { $0["next_attempt_at"] == nil && $0["retryable"] == .bool(false) }, "a dead-letter SyncFailed")
        let report = try fixture.log.verify()
        #expect(report.isIntact, "\(String(describing: report.problem))")

        let file = fixture.directory.file("events.jsonl")
        try Self.writeRows(events.map { try Self.row($0) }, to: file)
        let result = try Self.python([Self.validator, file])
        #expect(result.status == 0, "validate_events.py rejected events the code wrote:\n\(result.output)")
        #expect(result.output.contains("\(events.count) passed, 0 failed"), "\(result.output)")
    }

    // MARK: - Every schema rejects malformed events

    @Test func schemasRejectMalformedEvents() throws {
        try Self.requireJSONSchemaPackage()
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 400, to: fixture.log, clock: fixture.clock, seed: 7)
        let events = try fixture.log.events(EventQuery(limit: 10_000))

        // One real, valid row per type, and both kinds of SyncFailed, as the bases for the broken ones.
        func retryable(_ event: RecordedEvent) throws -> Bool { try Self.object(event.data)["retryable"] == .bool(true) }
        var samples: [RecordedEvent] = []
        for type in EventType.allCases where type != .syncFailed {
            samples.append(try #require(events.first { $0.type == type.rawValue }, "no \(type.rawValue) in the history"))
        }
        let failures = events.filter { $0.type == EventType.syncFailed.rawValue }
        samples.append(try #require(try failures.first { try retryable($0) }, "no retryable SyncFailed"))
        samples.append(try #require(try failures.first { try !retryable($0) }, "no dead-letter SyncFailed"))
        let valid = try samples.map { try Self.row($0) }
        let validFile = fixture.directory.file("valid.jsonl")
        try Self.writeRows(valid, to: validFile)
        let baseline = try Self.python([Self.validator, validFile])
        try #require(baseline.status == 0, "the unbroken samples must validate:\n\(baseline.output)")

        // Body-level breakage: each must be rejected by the schema AND by the Swift decoder (the schemas mirror it).
        var broken: [(what: String, row: [String: SchemaTestJSON])] = []
        for sample in samples {
            let type = sample.type
            let data = try Self.object(sample.data)
            func add(_ what: String, _ mutate: (inout [String: SchemaTestJSON]) -> Void) {
                var body = data
                mutate(&body)
                broken.append(("\(type): \(what)", Self.row(sample, data: body)))
            }
            let schema = try Self.bodySchema(type)
            let required = schema["required"]?.strings ?? []
            try #require(!required.isEmpty, "\(type) schema lists no required fields")
            for field in required {
                add("missing required \(field)") { $0[field] = nil }
            }
            add("unknown extra field") { $0["surprise"] = .string("x") }
            add("null for an optional field") { $0[Self.optionalField(of: schema)] = .null }
            for (field, value) in data {
                add("wrong type for \(field)") { $0[field] = value.wronglyTyped }
            }
            if data["lead_id"] != nil {
                add("lead_id not a UUID") { $0["lead_id"] = .string("not-a-uuid") }
                add("lead_id in uppercase") { $0["lead_id"] = .string(sample.stream.uppercased()) }
                add("lead_id with braces") { $0["lead_id"] = .string("{\(sample.stream)}") }
            }
            if data["attempt"] != nil {
                add("attempt 0") { $0["attempt"] = .int(0) }
                add("empty attempt_id") { $0["attempt_id"] = .string("") }
                add("attempt_id of 129 bytes") { $0["attempt_id"] = .string(String(repeating: "a", count: 129)) }
            }
            switch EventType(rawValue: type) {
            case .leadReceived:
                add("bad enum origin") { $0["origin"] = .string("email") }
                // Contact fingerprints live outside the log (erasure deletes them); a body carrying one is refused.
                add("a phone_hash field") { $0["phone_hash"] = .string(String(repeating: "a", count: 64)) }
                add("empty idempotency_key") { $0["idempotency_key"] = .string("") }
                add("idempotency_key of 256 bytes") { $0["idempotency_key"] = .string(String(repeating: "k", count: 256)) }
                add("form_id of 513 bytes, 257 characters") { $0["form_id"] = .string(String(repeating: "ф", count: 256) + "x") }
                add("unknown utm key") { $0["utm"] = .object(["source": .string("vk"), "gclid": .string("x")]) }
                add("utm.source of 513 bytes") { $0["utm"] = .object(["source": .string(String(repeating: "u", count: 513))]) }
                add("personal.alg unknown") {
                    $0["personal"] = .object(["alg": .string("ChaCha20-Poly1305"), "box": data["personal"]?["box"] ?? .null])
                }
                add("personal.box not base64") {
                    $0["personal"] = .object(["alg": .string("AES-256-GCM"), "box": .string(String(repeating: "!", count: 60))])
                }
                add("personal.box shorter than nonce and tag") {
                    $0["personal"] = .object([
                        "alg": .string("AES-256-GCM"), "box": .string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                    ])
                }
                add("personal in clear") {
                    $0["personal"] = .object(["name": .string("Иван"), "phone": .string("+79161234567")])
                }
            case .syncAttempted:
                add("bad enum target") { $0["target"] = .string("bitrix24") }
            case .syncFailed:
                add("bad enum error_class") { $0["error_class"] = .string("gremlins") }
                add("http_status 600") { $0["http_status"] = .int(600) }
                add("http_status 99") { $0["http_status"] = .int(99) }
                add("retryable false with next_attempt_at") {
                    $0["retryable"] = .bool(false)
                    $0["next_attempt_at"] = .int(1_795_000_600_000)
                }
                add("retryable true without next_attempt_at") {
                    $0["retryable"] = .bool(true)
                    $0["next_attempt_at"] = nil
                }
                add("message of 4097 bytes, 2049 characters") {
                    $0["message"] = .string(String(repeating: "я", count: 2048) + "!")
                }
            case .noteAttempted:
                add("crm_lead_id 0") { $0["crm_lead_id"] = .int(0) }
            case .noteAdded:
                add("crm_note_id 0") { $0["crm_note_id"] = .int(0) }
            case .noteFailed:
                add("bad enum error_class") { $0["error_class"] = .string("gremlins") }
                add("retryable false with next_attempt_at") {
                    $0["retryable"] = .bool(false)
                    $0["next_attempt_at"] = .int(1_795_000_600_000)
                }
                add("retryable true without next_attempt_at") {
                    $0["retryable"] = .bool(true)
                    $0["next_attempt_at"] = nil
                }
            case .syncSucceeded:
                add("crm_lead_id 0") { $0["crm_lead_id"] = .int(0) }
                add("crm_contact_id negative") { $0["crm_contact_id"] = .int(-5) }
            case .alertRaised:
                add("bad enum severity") { $0["severity"] = .string("fatal") }
                add("empty alert_id") { $0["alert_id"] = .string("") }
                add("empty kind") { $0["kind"] = .string("") }
                add("empty dedupe_key") { $0["dedupe_key"] = .string("") }
                add("subject of 513 bytes") { $0["subject"] = .string(String(repeating: "s", count: 513)) }
            case .leadErased:
                add("reason of 4200 bytes, 2100 characters") { $0["reason"] = .string(String(repeating: "я", count: 2100)) }
            case .leadRequeued:
                add("empty requested_by") { $0["requested_by"] = .string("") }
            case .alertResolved:
                add("empty resolves_alert_id") { $0["resolves_alert_id"] = .string("") }
                add("dedupe_key of 513 bytes") { $0["dedupe_key"] = .string(String(repeating: "k", count: 513)) }
            case .alertDelivered:
                add("bad enum channel") { $0["channel"] = .string("email") }
                add("bad enum outcome") { $0["outcome"] = .string("lost") }
                add("sent without message_ids") { $0["message_ids"] = .array([]) }
                add("suppressed with message_ids") { $0["outcome"] = .string("suppressed") }
                add("message_id 0") { $0["message_ids"] = .array([.int(0)]) }
                add("message_id not an integer") { $0["message_ids"] = .array([.string("1")]) }
                add("17 message_ids") { $0["message_ids"] = .array(Array(repeating: .int(7), count: 17)) }
                add("empty alert_id") { $0["alert_id"] = .string("") }
            case .alertUndeliverable:
                add("bad enum channel") { $0["channel"] = .string("sms") }
                add("empty reason") { $0["reason"] = .string("") }
                add("reason of 513 bytes") { $0["reason"] = .string(String(repeating: "r", count: 513)) }
            case .processStarted:
                add("bad enum process") { $0["process"] = .string("cron") }
                add("pid 0") { $0["pid"] = .int(0) }
                add("previous_ended without previous_instance_id") { $0["previous_instance_id"] = nil }
                add("previous_instance_id without previous_ended") { $0["previous_ended"] = nil }
                add("bad enum previous_ended") { $0["previous_ended"] = .string("maybe") }
            case .processStopped:
                add("empty reason") { $0["reason"] = .string("") }
                add("pid negative") { $0["pid"] = .int(-1) }
            case .reportProduced:
                add("bad enum run") { $0["run"] = .string("weekly") }
                add("day not a date") { $0["day"] = .string("28.11.2026") }
                add("report_sha256 in uppercase") { $0["report_sha256"] = .string(String(repeating: "A", count: 64)) }
                add("empty report_id") { $0["report_id"] = .string("") }
                guard case .object(let summary)? = data["summary"] else {
                    Issue.record("ReportProduced without a summary object")
                    break
                }
                func addSummary(_ what: String, _ mutate: @escaping (inout [String: SchemaTestJSON]) -> Void) {
                    add("summary: \(what)") {
                        var changed = summary
                        mutate(&changed)
                        $0["summary"] = .object(changed)
                    }
                }
                addSummary("negative dead") { $0["dead"] = .int(-1) }
                addSummary("lead_cost as a number") { $0["lead_cost"] = .int(100) }
                addSummary("lowercase currency") { $0["currency"] = .string("rub") }
                addSummary("missing received") { $0["received"] = nil }
                addSummary("unknown extra field") { $0["surprise"] = .int(1) }
            case nil:
                Issue.record("unexpected type \(type)")
            }
        }
        // Every one of them is also refused by the Swift decoder, so the schemas are not stricter than the code.
        for (what, row) in broken {
            guard case .object(let body)? = row["data"], case .string(let type)? = row["type"] else { continue }
            let text = try Self.encode(.object(body))
            #expect(throws: EventDecodingError.self, "Swift accepts the body the schema rejects (\(what)): \(text)") {
                try LedgerEvent.decode(type: type, schemaVersion: 1, data: text)
            }
        }

        // Row-level breakage, caught by event-row.schema.json (or by there being no schema for the version).
        let alert = try #require(samples.first { $0.type == EventType.alertRaised.rawValue })
        let lead = try #require(samples.first { $0.type == EventType.syncAttempted.rawValue })
        func rowWith(_ sample: RecordedEvent, _ what: String, _ mutate: (inout [String: SchemaTestJSON]) throws -> Void) throws {
            var row = try Self.row(sample)
            try mutate(&row)
            broken.append(("row: \(what)", row))
        }
        try rowWith(alert, "AlertRaised outside system:alerts") { $0["stream"] = .string(lead.stream) }
        try rowWith(lead, "lead event in a stream that is not a lead id") { $0["stream"] = .string("system:alerts") }
        let start = try #require(samples.first { $0.type == EventType.processStarted.rawValue })
        try rowWith(start, "ProcessStarted outside system:processes") { $0["stream"] = .string("system:alerts") }
        try rowWith(lead, "lead event in system:processes") { $0["stream"] = .string("system:processes") }
        try rowWith(lead, "prev_hash too short") { $0["prev_hash"] = .string("00") }
        try rowWith(lead, "hash in uppercase") { $0["hash"] = .string(lead.hash.uppercased()) }
        try rowWith(lead, "seq 0") { $0["seq"] = .int(0) }
        try rowWith(lead, "unknown type") { $0["type"] = .string("LeadTeleported") }
        try rowWith(lead, "schema version with no schema") { $0["schema_version"] = .int(2) }
        try rowWith(lead, "data as text") { $0["data"] = .string(lead.data) }
        try rowWith(lead, "missing hash") { $0["hash"] = nil }
        try rowWith(lead, "extra column") { $0["rowid"] = .int(1) }
        try rowWith(try #require(samples.first { $0.type == EventType.leadReceived.rawValue }), "LeadReceived at version 2") {
            $0["version"] = .int(2)
        }

        let brokenFile = fixture.directory.file("broken.jsonl")
        try Self.writeRows(broken.map(\.row), to: brokenFile)
        let rejected = try Self.python([Self.validator, "--expect-invalid", brokenFile])
        let accepted = Self.acceptedLines(rejected.output).map { broken[$0 - 1].what }
        #expect(rejected.status == 0, "schemas accepted malformed events: \(accepted)\n\(rejected.output)")
        #expect(
            rejected.output.contains("0 passed, \(broken.count) failed"),
            "\(rejected.output.split(separator: "\n").last ?? "no output from validate_events.py")")

        // The reverse: --expect-invalid must fail when a valid row is among the input.
        let mixedFile = fixture.directory.file("mixed.jsonl")
        try Self.writeRows(Array(broken.prefix(3).map(\.row)) + [valid[0]], to: mixedFile)
        let mixed = try Self.python([Self.validator, "--expect-invalid", mixedFile])
        #expect(mixed.status != 0, "--expect-invalid passed although one row is valid:\n\(mixed.output)")
        #expect(mixed.output.contains("line 4 seq \(samples[0].seq): valid"), "\(mixed.output)")
    }

    // MARK: - The hash-chain document is true

    @Test func hashChainDocumentSnippetRecomputesEveryHash() throws {
        let fixture = try TemporaryLog()
        try LeadHistoryGenerator.write(leads: 120, to: fixture.log, clock: fixture.clock, seed: 11)
        _ = try fixture.log.append(
            .alertRaised(
                AlertRaised(
                    alertID: "alert-ü-1", kind: "test", severity: .info, dedupeKey: "test/ключ",
                    message: "Non-ASCII text and a slash: «Привет» / 𝄞", subject: nil)))
        let head = try #require(try fixture.log.head())

        let document = try String(contentsOf: Self.root.appendingPathComponent("schemas/hash-chain.md"), encoding: .utf8)
        let snippet = try #require(Self.pythonBlock(in: document, startingWith: "# recompute_hash.py"))
        let script = fixture.directory.file("recompute_hash.py")
        try snippet.write(toFile: script, atomically: true, encoding: .utf8)

        let whole = try Self.python([script, fixture.path])
        #expect(whole.status == 0, "\(whole.output)")
        #expect(
            whole.output.contains("\(head.seq) event(s) recomputed, all hashes match; last: seq \(head.seq) hash \(head.hash)"))

        let one = try Self.python([script, fixture.path, "2"])
        let second = try #require(try fixture.log.events(EventQuery(afterSeq: 1, limit: 1)).first)
        #expect(one.status == 0, "\(one.output)")
        #expect(one.output.contains("1 event(s) recomputed, all hashes match; last: seq 2 hash \(second.hash)"))
    }

    // MARK: - Helpers

    /// Fails the test (never skips it) when python3 or its jsonschema package is missing.
    private static func requireJSONSchemaPackage() throws {
        let probe = try python(["-c", "import jsonschema"])
        try #require(
            probe.status == 0,
            """
            python3 with the `jsonschema` package is required by the schema tests and was not found \
            (`make setup`, or `python3 -m pip install jsonschema`):
            \(probe.output)
            """)
    }

    /// Runs python3 with `arguments`; returns the exit status and stdout and stderr together.
    private static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let exit = try ProcessExit.launch(process)
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        exit.wait()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The row as event-row.schema.json describes it, `data` parsed from the stored text.
    private static func row(_ event: RecordedEvent) throws -> [String: SchemaTestJSON] {
        row(event, data: try object(event.data))
    }

    private static func row(_ event: RecordedEvent, data: [String: SchemaTestJSON]) -> [String: SchemaTestJSON] {
        [
            "seq": .int(event.seq), "stream": .string(event.stream), "version": .int(event.version),
            "type": .string(event.type), "schema_version": .int(Int64(event.schemaVersion)),
            "recorded_at": .int(event.recordedAt.millisecondsSinceEpoch), "prev_hash": .string(event.prevHash),
            "hash": .string(event.hash), "data": .object(data),
        ]
    }

    private static func object(_ text: String) throws -> [String: SchemaTestJSON] {
        guard case .object(let object) = try JSONDecoder().decode(SchemaTestJSON.self, from: Data(text.utf8)) else {
            throw SchemaTestError(message: "event body is not a JSON object: \(text)")
        }
        return object
    }

    private static func encode(_ value: SchemaTestJSON) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func writeRows(_ rows: [[String: SchemaTestJSON]], to path: String) throws {
        let lines = try rows.map { try encode(.object($0)) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func bodySchema(_ type: String) throws -> [String: SchemaTestJSON] {
        let url = root.appendingPathComponent("schemas/events/\(type).v1.schema.json")
        return try object(String(contentsOf: url, encoding: .utf8))
    }

    /// A field the schema declares but does not require (or, for types with none, one it does not declare at all).
    private static func optionalField(of schema: [String: SchemaTestJSON]) -> String {
        let required = Set(schema["required"]?.strings ?? [])
        guard case .object(let properties)? = schema["properties"] else { return "undeclared" }
        return properties.keys.sorted().first { !required.contains($0) } ?? "undeclared"
    }

    /// Line numbers `validate_events.py --expect-invalid` reported as valid.
    private static func acceptedLines(_ output: String) -> [Int] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("line "), line.hasSuffix("valid, but every line was expected to be invalid") else { return nil }
            return Int(line.dropFirst(5).prefix { $0.isNumber })
        }
    }

    /// The first fenced ```python block whose first line is `firstLine`.
    private static func pythonBlock(in markdown: String, startingWith firstLine: String) -> String? {
        let blocks = markdown.components(separatedBy: "```python\n").dropFirst()
        for block in blocks where block.hasPrefix(firstLine) {
            return block.components(separatedBy: "\n```").first.map { $0 + "\n" }
        }
        return nil
    }
}

private struct SchemaTestError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Any JSON value, so bodies can be parsed, broken one field at a time and written back without Foundation's
/// NSNumber guesswork (booleans and integers stay what they were).
enum SchemaTestJSON: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([SchemaTestJSON])
    case object([String: SchemaTestJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SchemaTestJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SchemaTestJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    subscript(key: String) -> SchemaTestJSON? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    var strings: [String]? {
        guard case .array(let values) = self else { return nil }
        return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    /// The same value in a JSON type no schema field accepts for it.
    var wronglyTyped: SchemaTestJSON {
        switch self {
        case .string: .int(42)
        case .int(let value): .string(String(value))
        case .bool(let value): .string(String(value))
        case .object: .string("{}")
        case .null, .double, .array: .bool(true)
        }
    }
}
