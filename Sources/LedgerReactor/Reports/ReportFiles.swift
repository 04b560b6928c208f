import Foundation
import LedgerCore
import LedgerProjections

/// The nightly report's files under `LEADLEDGER_REPORTS_DIR`: `YYYY-MM-DD.md`, `.csv`, `.json` and `.html`, all four
/// rendered from one report value. Each is written whole (temporary file, fsync, rename, directory fsync), so a crash
/// leaves a previous file or the new one, never a torn report.
public struct ReportFiles: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Every format of `report`, rendered once: the JSON one is what `ReportProduced.report_sha256` hashes.
    public static func render(_ report: LostLeadCostReport) throws -> [ReportFormat: String] {
        var renderings: [ReportFormat: String] = [:]
        for format in ReportFormat.allCases { renderings[format] = try format.render(report) }
        return renderings
    }

    public func path(day: String, format: ReportFormat) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("\(day).\(format.rawValue)").path
    }

    /// The formats of `day` with no file.
    public func missing(day: String) -> [ReportFormat] {
        ReportFormat.allCases.filter { !FileManager.default.fileExists(atPath: path(day: day, format: $0)) }
    }

    /// Writes every rendering of `day`, creating the directory when missing.
    public func write(_ renderings: [ReportFormat: String], day: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for format in ReportFormat.allCases {
            guard let text = renderings[format] else { continue }
            try DurableFile.write(Data(text.utf8), to: path(day: day, format: format), mode: 0o644)
        }
    }
}
