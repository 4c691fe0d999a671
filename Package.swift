// swift-tools-version:6.0
import PackageDescription

// Layers point one way:
// CLibPQ → Postgres → EmbeddedPostgres → ProcurementStore → ProcureCLI → procure
//                                                   CLibEdit (libedit) ↗
//                      ProcureSQL (sql/ compiled in) ↗   ↖ Mustache (document templates, compiled in)
// ProcessSupport (spawner, seeded generator, temp folders) ↗ EmbeddedPostgres, procure-bench, tests
// procure-bench: Postgres, EmbeddedPostgres, ProcessSupport; drives the `procure` binary
let package = Package(
    name: "procure",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "procure", targets: ["procure"]),
        .executable(name: "procure-bench", targets: ["procure-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The interactive shell's line editing, history and completion: libedit, as psql uses.
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "ProcessSupport"),
        .target(name: "EmbeddedPostgres", dependencies: ["Postgres", "ProcessSupport"]),
        // sql/migrations and sql/schema compiled into the binary: the EmbedSQL plugin runs the
        // FileEmbedder tool at build time, whenever a file there changes or is added or removed.
        // Sources/ProcureSQL/sql is a symbolic link to sql/, excluded from the sources, so that
        // SwiftPM notices a file added to or removed from sql/ (see Plugins/EmbedSQL). The
        // document templates (Sources/ProcureCLI/Templates) are compiled in the same way.
        .executableTarget(name: "FileEmbedder"),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["FileEmbedder"]),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["FileEmbedder"]),
        .target(name: "ProcureSQL", exclude: ["sql"], plugins: ["EmbedSQL"]),
        .target(name: "ProcurementStore", dependencies: ["Postgres", "ProcureSQL"]),
        .target(
            name: "ProcureCLI",
            dependencies: [
                "ProcurementStore", "EmbeddedPostgres", "CLibEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            exclude: ["Templates"],
            plugins: ["EmbedTemplates"]
        ),
        .executableTarget(
            name: "procure",
            dependencies: ["ProcureCLI"],
            // The Swift runtime and Foundation linked into the binary (what `swift build
            // --static-swift-stdlib` does), so that a plain `swift build` / `swift run` gets it
            // too: a one-shot command then skips loading and relocating the runtime, Foundation
            // and ICU shared libraries (docs/benchmarks.md §4: ~9 ms of a 36 ms `po show`).
            // main.swift is compiled with the flag as well, so its `import Foundation` brings the
            // static archives' own dependencies (_FoundationICU, CoreFoundation, …) into the
            // link's autolink group. Linux only; unsafeFlags are allowed in the root package.
            // The C++ runtime that the Swift runtime needs is linked in as well: link/ holds a
            // linker script named libstdc++.so that stands for libstdc++.a, and it comes first on
            // the library path. Loading and relocating the shared library was a part of every
            // one-shot's start that psql does not pay (docs/benchmarks.md, change 19).
            exclude: ["link"],
            swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))],
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-L", Context.packageDirectory + "/Sources/procure/link"],
                                          .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "procure-bench",
            dependencies: [
                "Postgres", "EmbeddedPostgres", "ProcessSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "TestSupport", dependencies: ["Postgres", "EmbeddedPostgres", "ProcurementStore", "ProcessSupport"], path: "Tests/TestSupport"),
        // One test target per module, named after it; EndToEndTests and ReliabilityTests run
        // the built `procure`.
        .testTarget(name: "ProcessSupportTests", dependencies: ["ProcessSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "EmbeddedPostgresTests", dependencies: ["EmbeddedPostgres", "Postgres", "TestSupport"]),
        .testTarget(name: "ProcureSQLTests", dependencies: ["ProcureSQL"]),
        // The liability calculator of the tests: an oracle the database's liability_compute is held to.
        .target(name: "LiabilityOracle", dependencies: ["Postgres"], path: "Tests/LiabilityOracle"),
        .testTarget(name: "LiabilityOracleTests", dependencies: ["LiabilityOracle"]),
        .testTarget(name: "ProcurementStoreTests", dependencies: ["ProcurementStore", "TestSupport", "LiabilityOracle"]),
        .testTarget(name: "ProcureCLITests", dependencies: ["ProcureCLI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Postgres", "EmbeddedPostgres"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["TestSupport", "Postgres"]),
    ]
)
