import LedgerCore
import Testing

struct FrontDoorSettingsTests {
    private func load(_ values: [String: String]) throws(SettingsError) -> LedgerSettings {
        try LedgerSettings.load { values[$0] }
    }

    private func problemKeys(_ values: [String: String]) -> [String] {
        do {
            _ = try load(values)
            return []
        } catch {
            return error.problems.map(\.key)
        }
    }

    @Test func theDefaultsHoldTheFrontDoorAndTurnTheRateLimitOn() throws {
        let settings = try load([:])
        let door = settings.frontDoor
        #expect(door.headerTimeout == .seconds(10))
        #expect(door.bodyTimeout == .seconds(30))
        #expect(door.idleTimeout == .seconds(60))
        #expect(door.sendTimeout == .seconds(30))
        #expect(door.maxConnections == nil, "auto")
        #expect(door.maxConnectionsPerClient == 32)
        #expect(door.descriptorReserve == 128)
        #expect(door.maxHeaders == 100)
        #expect(door.maxHeaderBytes == 16_384)
        #expect(door.trustedProxies.isEmpty)
        #expect(settings.rateLimitPerMinute == 60)
        #expect(settings.alerts.descriptorsPercent == 80)
    }

    /// Each bound is taken at both ends of its range and refused one past them.
    @Test(arguments: [
        ("LEADLEDGER_HEADER_TIMEOUT_S", 1, 300), ("LEADLEDGER_BODY_TIMEOUT_S", 1, 3600),
        ("LEADLEDGER_IDLE_TIMEOUT_S", 1, 3600), ("LEADLEDGER_SEND_TIMEOUT_S", 1, 3600),
        ("LEADLEDGER_MAX_CONNECTIONS", 1, 1_000_000), ("LEADLEDGER_MAX_CONNECTIONS_PER_IP", 1, 100_000),
        ("LEADLEDGER_FD_RESERVE", 32, 100_000), ("LEADLEDGER_MAX_HEADERS", 8, 10_000),
        ("LEADLEDGER_MAX_HEADER_BYTES", 1024, 1_048_576), ("LEADLEDGER_ALERT_DESCRIPTORS_PERCENT", 10, 99),
        ("LEADLEDGER_RATE_LIMIT_PER_MIN", 0, 1_000_000),
    ])
    func eachBoundIsTakenInsideItsRangeAndRefusedOutside(key: String, low: Int, high: Int) {
        #expect(problemKeys([key: "\(low)"]).isEmpty)
        #expect(problemKeys([key: "\(high)"]).isEmpty)
        #expect(problemKeys([key: "\(low - 1)"]) == [key])
        #expect(problemKeys([key: "\(high + 1)"]) == [key])
        #expect(problemKeys([key: "ten"]) == [key])
    }

    @Test func timeoutsAndCapsReadAsSet() throws {
        let door = try load([
            "LEADLEDGER_HEADER_TIMEOUT_S": "2", "LEADLEDGER_BODY_TIMEOUT_S": "3", "LEADLEDGER_IDLE_TIMEOUT_S": "4",
            "LEADLEDGER_SEND_TIMEOUT_S": "5", "LEADLEDGER_MAX_CONNECTIONS": "700", "LEADLEDGER_MAX_CONNECTIONS_PER_IP": "6",
        ]).frontDoor
        #expect(
            [door.headerTimeout, door.bodyTimeout, door.idleTimeout, door.sendTimeout]
                == [.seconds(2), .seconds(3), .seconds(4), .seconds(5)])
        #expect(door.maxConnections == 700)
        #expect(door.maxConnectionsPerClient == 6)
        #expect(try load(["LEADLEDGER_MAX_CONNECTIONS": "auto"]).frontDoor.maxConnections == nil)
    }

    @Test func trustedProxiesAreAddressesOrRangesAndEachBadOneIsNamed() throws {
        let door = try load(["LEADLEDGER_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,2001:db8::/32"]).frontDoor
        #expect(door.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/32"])
        do {
            _ = try load(["LEADLEDGER_TRUSTED_PROXIES": "10.0.0.0/8,nginx,10.0.0.0/40"])
            Issue.record("bad proxies were taken")
        } catch {
            #expect(error.problems.map(\.key) == ["LEADLEDGER_TRUSTED_PROXIES", "LEADLEDGER_TRUSTED_PROXIES"])
            #expect(error.problems.map(\.message).joined().contains("nginx"))
        }
    }

    /// `serve` refuses to start with a cap its descriptor limit cannot hold beside the reserve.
    @Test func theConnectionCapFitsUnderTheDescriptorLimitLessTheReserveOrIsRefused() throws {
        var door = FrontDoorSettings()
        #expect(door.connectionCap(descriptorLimit: 1024) == 896, "auto: the limit less the reserve of 128")
        #expect(door.connectionCap(descriptorLimit: 129) == 1)
        #expect(door.connectionCap(descriptorLimit: 128) == nil, "no room left for a single connection")
        door.maxConnections = 896
        #expect(door.connectionCap(descriptorLimit: 1024) == 896)
        door.maxConnections = 897
        #expect(door.connectionCap(descriptorLimit: 1024) == nil)
        door.maxConnections = 100
        door.descriptorReserve = 924
        #expect(door.connectionCap(descriptorLimit: 1024) == 100)
        door.descriptorReserve = 925
        #expect(door.connectionCap(descriptorLimit: 1024) == nil)
        #expect(door.connectionCapProblem(descriptorLimit: 1024)?.contains("(100) plus LEADLEDGER_FD_RESERVE (925)") == true)
        #expect(door.connectionCapProblem(descriptorLimit: 1025) == nil)
    }
}
