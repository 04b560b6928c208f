import Foundation
import LedgerCore
import LedgerIngest

/// libFuzzer's entry point. The first byte chooses what the rest is fed to (a posted body under one of five content
/// types, with default or tiny limits; or an import file, CSV or JSON Lines); the contract is checked on every input,
/// and a broken contract is a crash libFuzzer keeps as a crasher:
/// - the parser always returns: a submission with a phone or an email, or a rejection with a 4xx status the
///   endpoint answers (400, 413, 415, 422) and a JSON body `{"error": …}`;
/// - the import reader returns rows or a file-level refusal; every row has a line number within the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    switch selector % 8 {
    case 0..<5: checkBody(rest, contentType: contentTypes[Int(selector % 5)], small: selector & 0x80 != 0)
    case 5, 6: checkImport(rest, format: .csv)
    default: checkImport(rest, format: .jsonl)
    }
    return 0
}

/// SwiftPM links an executable target's entry point as `<Target>_main` and points `main` at it, which hides
/// libFuzzer's own `main`; so this entry point hands the command line to libFuzzer's driver.
@_cdecl("IngestFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzz)
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

let contentTypes: [String?] = [
    "application/json", "application/x-www-form-urlencoded", nil, "text/plain", "application/json; charset=utf-8",
]

let tinyLimits = IngestLimits(
    maxBodyBytes: 300, maxNameBytes: 8, maxEmailBytes: 20, maxPhoneBytes: 16, maxCommentBytes: 10,
    maxShortFieldBytes: 4, maxPageURLBytes: 20, maxExtraFields: 2, maxExtraKeyBytes: 3, maxExtraValueBytes: 5,
    maxFormPairs: 6, maxJSONDepth: 3)

func checkBody(_ body: [UInt8], contentType: String?, small: Bool) {
    switch SubmissionParser.parse(body: body, contentType: contentType, limits: small ? tinyLimits : IngestLimits()) {
    case .success(let submission):
        precondition(submission.personal.phone != nil || submission.personal.email != nil, "a lead without a contact")
    case .failure(let rejection):
        precondition([400, 413, 415, 422].contains(rejection.status), "status \(rejection.status)")
        let object = try? JSONSerialization.jsonObject(with: Data(rejection.jsonBody.utf8)) as? [String: Any]
        precondition(object?["error"] is String, "not a JSON error: \(rejection.jsonBody)")
    }
}

func checkImport(_ file: [UInt8], format: ImportFormat) {
    guard let columns = try? ImportColumns() else { preconditionFailure("the default columns are refused") }
    let options = ImportOptions(
        columns: columns, limits: tinyLimits, time: ImportTime(timeZone: TimeZone(identifier: "Europe/Moscow") ?? .gmt),
        latestReceivedAt: Timestamp(millisecondsSinceEpoch: 1_900_000_000_000))
    guard let read = try? ImportFile.read(file, format: format, options: options) else { return }
    for row in read.rows { precondition(row.line >= 1 && row.line <= lineCount(file), "row line \(row.line)") }
}

/// Lines as the reader counts them: CRLF, a lone CR and LF each end one (old Mac exports end lines with CR).
func lineCount(_ bytes: [UInt8]) -> Int {
    var lines = 1
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "\r") {
            lines += 1
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
        } else if bytes[index] == UInt8(ascii: "\n") {
            lines += 1
        }
        index += 1
    }
    return lines
}
