// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// One set of compiler settings for every target, so the whole package is held to Swift 6's strict concurrency
/// and the same upcoming-feature flags (Hummingbird's habit).
var swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// `make test` and CI set LEADLEDGER_STRICT=1: warnings in our own targets are errors there (dependencies keep their
/// warnings, which is why this is not a global -Xswiftc flag).
if ProcessInfo.processInfo.environment["LEADLEDGER_STRICT"] == "1" {
    swiftSettings.append(.unsafeFlags(["-warnings-as-errors"]))
}

let package = Package(
    name: "LeadLedger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leadledger", targets: ["leadledger"]),
        .executable(name: "leadledger-bench", targets: ["leadledger-bench"]),
        // For tools/fuzz, a package of its own that fuzzes the parsers strangers' bytes reach.
        .library(name: "LedgerIngest", targets: ["LedgerIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["JSON", "YAML"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // Events, identifiers, hashing, personal-data sealing, limits and settings. No storage, no network.
        .target(
            name: "LedgerCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The SQLite event log: schema, append, hash chain, verify, key vault.
        .target(
            name: "LedgerStore",
            dependencies: ["LedgerCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The same event log in a PostgreSQL database: the same events, checks and hashes as the SQLite log.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "LedgerCore", "LedgerStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Read models folded from the log: retry queue, health view, daily cost report.
        .target(
            name: "LedgerProjections",
            dependencies: ["LedgerCore", "LedgerStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The ingest endpoint's input layer: parse, validate and normalise a submitted form. No I/O.
        .target(
            name: "LedgerIngest",
            dependencies: ["LedgerCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The HTTP surface of `serve`: ingest, health. Never imports the reactor: ingest cannot call AmoCRM.
        .target(
            name: "LedgerHTTP",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerProjections", "LedgerIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The one outbound-HTTP layer: requests and replies as values, the transport seam, AsyncHTTPClient behind it
        // with every exchange bounded. No knowledge of any remote API.
        .target(
            name: "LedgerOutbound",
            dependencies: [
                "LedgerCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // AmoCRM API v4 as the wire sees it: request bodies, defensive reply parsing, the HTTP client. No ledger state.
        .target(
            name: "LedgerAmoCRM",
            dependencies: [
                "LedgerCore", "LedgerOutbound",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Telegram Bot API as the wire sees it: sendMessage, reply classification, HTML escaping, splitting, alert texts
        // and the throttle that decides what to send when. No ledger state.
        .target(
            name: "LedgerTelegram",
            dependencies: [
                "LedgerCore", "LedgerOutbound",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The reactor: decides from projected state what to send, sends it, records every outcome as an event.
        .target(
            name: "LedgerReactor",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerProjections", "LedgerOutbound", "LedgerAmoCRM", "LedgerTelegram",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `leadledger` commands, settings loading, exit codes.
        .target(
            name: "LedgerCLI",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerPostgres", "LedgerProjections", "LedgerHTTP", "LedgerIngest", "LedgerReactor",
                "LedgerOutbound", "LedgerAmoCRM", "LedgerTelegram",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "leadledger", dependencies: ["LedgerCLI"], swiftSettings: swiftSettings),
        // Fixtures shared by tests and the benchmark: temporary logs and generated lead histories.
        .target(
            name: "LedgerTesting",
            dependencies: ["LedgerCore", "LedgerStore", "LedgerProjections", "LedgerOutbound"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "leadledger-bench",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerProjections", "LedgerTesting", "LedgerHTTP", "LedgerPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerHTTPTests",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerTesting", "LedgerHTTP", "LedgerReactor", "LedgerAmoCRM",
                "LedgerTelegram", "LedgerOutbound", "LedgerProjections", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerAmoCRMTests", dependencies: ["LedgerAmoCRM", "LedgerOutbound", "LedgerCore"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LedgerTelegramTests",
            dependencies: [
                "LedgerTelegram", "LedgerOutbound", "LedgerCore", "LedgerTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerReactorTests",
            dependencies: [
                "LedgerReactor", "LedgerAmoCRM", "LedgerTelegram", "LedgerOutbound", "LedgerCore", "LedgerStore",
                "LedgerProjections", "LedgerTesting", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LedgerIngestTests", dependencies: ["LedgerIngest", "LedgerCore"], swiftSettings: swiftSettings),
        .testTarget(name: "LedgerCoreTests", dependencies: ["LedgerCore", "LedgerTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LedgerStoreTests",
            dependencies: ["LedgerCore", "LedgerStore", "LedgerTesting", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerPostgresTests",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerPostgres", "LedgerProjections", "LedgerTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerProjectionsTests",
            dependencies: ["LedgerCore", "LedgerStore", "LedgerProjections", "LedgerTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerCLI", "LedgerAmoCRM", "LedgerOutbound", "LedgerTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
