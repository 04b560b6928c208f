import Foundation
import LedgerCore
import Testing

@testable import LedgerIngest

/// Original times as exports write them.
struct ImportTimeTests {
    private let moscow = ImportTime(timeZone: TimeZone(identifier: "Europe/Moscow") ?? .current)

    private func iso(_ text: String) throws -> Timestamp {
        try #require(Timestamp(iso8601: text))
    }

    @Test(arguments: [
        ("2024-11-20T14:03:00+03:00", "2024-11-20T11:03:00Z"),
        ("2024-11-20T11:03:00Z", "2024-11-20T11:03:00Z"),
        ("2024-11-20 14:03:00 +0300", "2024-11-20T11:03:00Z"),
        ("2024-11-20T11:03:00.25Z", "2024-11-20T11:03:00.250Z"),
        ("2024-11-20T11:03:00.123456-01:00", "2024-11-20T12:03:00.123Z"),
        ("2024-11-20T14:03", "2024-11-20T11:03:00Z"),
        ("2024-11-20 14:03:07", "2024-11-20T11:03:07Z"),
        ("20.11.2024 14:03", "2024-11-20T11:03:00Z"),
        ("20.11.2024 14:03:59", "2024-11-20T11:03:59Z"),
        ("5.1.2024 9:05", "2024-01-05T06:05:00Z"),
        ("20.11.2024, 14:03", "2024-11-20T11:03:00Z"),
        ("  29.02.2024 00:00  ", "2024-02-28T21:00:00Z"),
    ])
    func readsISOAndRussianExcelTimes(_ text: String, _ expected: String) throws {
        #expect(try moscow.parse(text).get() == iso(expected), "\(text)")
    }

    @Test func aTimeWithoutAnOffsetIsWallClockTimeInTheConfiguredZone() throws {
        let utc = ImportTime(timeZone: TimeZone(secondsFromGMT: 0) ?? .current)
        #expect(try utc.parse("20.11.2024 14:03").get() == iso("2024-11-20T14:03:00Z"))
        #expect(try utc.parse("2024-11-20T14:03:00+03:00").get() == iso("2024-11-20T11:03:00Z"), "an offset wins")
    }

    @Test(arguments: [
        ("20.11.2024", ImportTimeError.noTimeOfDay), ("2024-11-20", .noTimeOfDay),
        ("31.02.2024 10:00", .noSuchTime), ("29.02.2023 10:00", .noSuchTime), ("20.13.2024 10:00", .noSuchTime),
        ("20.11.2024 24:00", .noSuchTime), ("20.11.2024 10:60", .noSuchTime),
        ("вчера", .unreadable), ("", .unreadable), ("20/11/2024 10:00", .unreadable), ("20.11.24 10:00", .unreadable),
        ("2024-11-20T10:00:00+25:00", .unreadable), ("2024-11-20T10:00:00 MSK", .unreadable),
        ("1732100000", .unreadable), ("2024-11-20T10:00:00.Z", .unreadable),
    ])
    func refusesWhatIsNotATimeOfDaySayingWhy(_ text: String, _ expected: ImportTimeError) {
        #expect(moscow.parse(text) == .failure(expected), "\(text)")
    }
}
