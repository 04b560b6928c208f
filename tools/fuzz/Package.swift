// swift-tools-version: 6.0
// Coverage-guided fuzzing of what strangers' bytes reach: the ingest body parser and the import file reader. A
// separate package, so the root build never links libFuzzer. Built and run by tools/fuzz/run.sh (make fuzz).
import PackageDescription

let package = Package(
    name: "LeadLedgerFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "LeadLedger", path: "../..")],
    targets: [
        .executableTarget(
            name: "IngestFuzzer",
            dependencies: [.product(name: "LedgerIngest", package: "LeadLedger")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        )
    ]
)
