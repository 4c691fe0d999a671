import ArgumentParser
import Foundation

/// `procure-bench`: procure measured against PostgreSQL itself. A benchmark, never a timed test.
@main
struct ProcureBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procure-bench",
        abstract: "Benchmark procure against PostgreSQL itself on a throwaway cluster.",
        discussion: """
            Creates its own PostgreSQL cluster in a temporary folder (never your data), generates a \
            deterministic data set through the normal verbs and `import orders` of the `procure` \
            binary, then measures, each next to its anchor in the same run and repeated: \
            corrections/s at --clients concurrent procure processes vs pgbench TPS; `import orders` \
            rows/s vs psql \\copy; each report vs hand-written SQL; a one-shot `po show` vs psql -c; \
            peak memory of a long batch. Prints a table, or JSON with --format json. See \
            docs/benchmarks.md. --db URL runs against that (empty) database instead; it must be \
            allowed to create roles. The `procure` measured is --procure, else $PROCURE_BINARY, \
            else the one beside this executable.
            """)

    @Option(help: "Orders to generate.") var orders = 10_000
    @Option(help: "Lines per order.") var linesPerOrder = 3
    @Option(help: "Buyers (the orders are shared evenly).") var buyers = 10
    @Option(help: "Suppliers.") var suppliers = 5
    @Option(help: "Items (each supplier prices every item).") var items = 100
    @Option(help: "Seed of the data generator.") var seed: UInt64 = 42
    @Option(name: .customLong("repeat"), help: "Repeats of each measurement (median reported).") var repeats = 3
    @Option(help: "Concurrent clients for the correction run (pgbench -c the same).") var clients = 4
    @Option(help: "Seconds of each correction run and each pgbench run.") var seconds = 10
    @Option(help: "pgbench -i scale.") var pgbenchScale = 10
    @Option(help: "One-shot `po show` processes per repeat.") var showSamples = 20
    @Option(help: "`po show` lines of the read batch.") var readLines = 5_000
    @Option(help: "Rows of each `import orders` file measured.") var importRows = 30_000
    @Option(help: "Lines piped into one batch process for the memory measurement.") var batchLines = 1_000_000
    @Option(help: "Time limit of the memory batch, seconds.") var batchSeconds = 300
    @Option(help: "Orders per import file and per set-based statement while loading.") var chunk = 2_000
    @Option(help: "Only these measurements (comma-separated): corrections,import,reports,show,reads,memory.") var only: String?
    @Option(help: "An empty database to fill instead of a throwaway cluster.") var db: String?
    @Option(name: .customLong("setting"), help: "A postgresql.conf setting of the throwaway cluster, NAME=VALUE (repeatable).")
    var settings: [String] = []
    @Option(help: "The procure executable to measure (default: $PROCURE_BINARY, else the one beside procure-bench).")
    var procure: String?
    @Option(help: "Output format: table, json or csv.") var format: BenchFormat = .table
    @Flag(help: "Keep the throwaway cluster and files (the path is printed).") var keep = false

    static let measurements: Set<String> = ["corrections", "import", "reports", "show", "reads", "memory"]

    func validate() throws {
        for (name, value) in [("--orders", orders), ("--lines-per-order", linesPerOrder), ("--buyers", buyers),
                              ("--suppliers", suppliers), ("--items", items), ("--repeat", repeats), ("--clients", clients),
                              ("--seconds", seconds), ("--chunk", chunk), ("--show-samples", showSamples), ("--read-lines", readLines),
                              ("--import-rows", importRows), ("--batch-lines", batchLines), ("--batch-seconds", batchSeconds),
                              ("--pgbench-scale", pgbenchScale)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if linesPerOrder > items { throw ValidationError("--lines-per-order cannot exceed --items (lines of an order have distinct items)") }
        if buyers > 99 || suppliers > 99 { throw ValidationError("at most 99 buyers and 99 suppliers") }
        if let only {
            let unknown = Set(only.split(separator: ",").map { String($0) }).subtracting(ProcureBench.measurements)
            if !unknown.isEmpty { throw ValidationError("--only: unknown \(unknown.sorted().joined(separator: ", ")); use \(ProcureBench.measurements.sorted().joined(separator: ","))") }
        }
        for setting in settings where !setting.contains("=") {
            throw ValidationError("--setting \(setting): expected NAME=VALUE")
        }
    }

    func run() throws {
        var parsed: [String: String] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1)
            parsed[String(parts[0])] = String(parts[1])
        }
        let options = BenchOptions(
            shape: BenchShape(orders: orders, linesPerOrder: linesPerOrder, buyers: buyers, suppliers: suppliers,
                              items: items, seed: seed),
            repeats: repeats, clients: clients, seconds: seconds, pgbenchScale: pgbenchScale, showSamples: showSamples,
            readLines: readLines, importRows: importRows, batchLines: batchLines, batchSeconds: batchSeconds, chunk: chunk,
            measurements: only.map { Set($0.split(separator: ",").map { String($0) }) } ?? ProcureBench.measurements,
            database: db, keep: keep, settings: parsed)
        let report = try Benchmark(options: options, procureBinary: try ProcureExecutable.locate(explicit: procure)).run()
        FileHandle.standardOutput.write(Data(BenchReport.render(report, as: format).utf8))
    }
}
