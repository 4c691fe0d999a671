// swift-tools-version:6.0
import PackageDescription

// Layers point one way:
// CLibPQ → Postgres → EmbeddedPostgres → ProcurementStore → ProcureCLI → procure
//                      Procurement (pure domain) ↗
let package = Package(
    name: "procure",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "procure", targets: ["procure"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "EmbeddedPostgres", dependencies: ["Postgres"]),
        .target(name: "Procurement"),
        .target(name: "ProcurementStore", dependencies: ["Postgres", "Procurement"]),
        .target(
            name: "ProcureCLI",
            dependencies: [
                "ProcurementStore", "EmbeddedPostgres", "Procurement",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "procure", dependencies: ["ProcureCLI"]),

        .target(name: "TestSupport", dependencies: ["Postgres", "EmbeddedPostgres", "ProcurementStore"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "ProcurementTests", dependencies: ["Procurement"]),
        .testTarget(name: "ProcurementStoreTests", dependencies: ["ProcurementStore", "TestSupport"]),
        .testTarget(name: "ProcureCLITests", dependencies: ["ProcureCLI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Postgres"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["TestSupport", "Postgres"]),
    ]
)
