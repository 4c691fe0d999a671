import EmbeddedPostgres
import Foundation
import Postgres
import ProcessSupport

/// Runs the benchmark: its own throwaway cluster (unless `--db`), the data set, then each
/// measurement next to its anchor, repeated, reported as median and ratio.
final class Benchmark {
    let options: BenchOptions
    let procureBinary: String
    let binaries: ServerBinaries
    private(set) var workDirectory = ""
    private var cluster: EmbeddedCluster?
    private(set) var conninfo = ""
    private(set) var pgbenchConninfo = ""
    private var results: [BenchResult] = []
    private var details: [(String, JSONValue)] = []
    let data: BenchDataSet

    init(options: BenchOptions, procureBinary: String) throws {
        self.options = options
        self.procureBinary = procureBinary
        data = BenchDataSet(shape: options.shape)
        binaries = try ServerBinaries.locate()
    }

    /// Progress, on stderr.
    func log(_ message: String) {
        FileHandle.standardError.write(Data(("procure-bench: " + message + "\n").utf8))
    }

    func detail(_ key: String, _ value: JSONValue) {
        details.append((key, value))
    }

    // MARK: - The run

    /// The whole run; the result is one JSON object (`results`, `load`, `details`).
    func run() throws -> JSONValue {
        let began = MonotonicClock.now()
        // A child that exits early must not kill the bench through SIGPIPE on its stdin pipe.
        signal(SIGPIPE, SIG_IGN)
        defer { cleanUp() }
        try prepareDatabase()
        // The product's own migrations, as a user would apply them.
        try runChecked([procureBinary, "--db", conninfo, "db", "migrate"])
        let machine = try describeMachine()
        let admin = try Connection(conninfo)

        log("loading \(options.shape.orders) orders × \(options.shape.linesPerOrder) lines (seed \(options.shape.seed))")
        let loader = BenchLoader(bench: self, chunk: options.chunk)
        let phases = try loader.load()
        let loadJSON = JSONValue.array(phases.map { phase in
            .object([
                ("phase", .string(phase.name)), ("seconds", .string(BenchStats.format(phase.seconds))),
                ("rows", .number(String(phase.rows))),
                ("rows_per_s", .string(phase.rows > 0 && phase.seconds > 0 ? BenchStats.format(Double(phase.rows) / phase.seconds, decimals: 0) : "")),
            ])
        })
        let sizes = try admin.query("""
            SELECT (SELECT count(*) FROM procure.orders) AS orders, (SELECT count(*) FROM procure.order_lines) AS lines,
                   (SELECT count(*) FROM procure.audit_log) AS audit_rows,
                   pg_size_pretty(pg_database_size(current_database())) AS size
            """).first

        if wants("show") { try measureShow() }
        if wants("reads") { try measureReadBatch() }
        if wants("memory") { try measureMemory() }
        if wants("import") { try measureImport(admin) }
        if wants("corrections") { try measureCorrections(admin) }
        if wants("reports") { try measureReports(admin) }

        return .object([
            ("benchmark", .string("procure-bench — each measurement next to its anchor on the same cluster")),
            ("procure", .string(procureBinary)),
            ("orders", .number(String(options.shape.orders))),
            ("lines_per_order", .number(String(options.shape.linesPerOrder))),
            ("buyers", .number(String(options.shape.buyers))),
            ("suppliers", .number(String(options.shape.suppliers))),
            ("items", .number(String(options.shape.items))),
            ("seed", .number(String(options.shape.seed))),
            ("repeat", .number(String(options.repeats))),
            ("database_rows", .string("\(sizes?["orders"] ?? "?") orders, \(sizes?["lines"] ?? "?") lines, \(sizes?["audit_rows"] ?? "?") audit rows, \(sizes?["size"] ?? "?")")),
            ("target", .string(cluster != nil ? "throwaway cluster \(cluster!.home.path)\(options.keep ? " (kept)" : " (removed)")" : "--db (given database)")),
            ("total_seconds", .string(BenchStats.format(MonotonicClock.now() - began, decimals: 0))),
        ] + machine + [
            ("results", .array(results.map(\.json))),
            ("load", loadJSON),
            ("details", .array(details.map { .object([("what", .string($0.0)), ("value", $0.1)]) })),
        ])
    }

    func wants(_ measurement: String) -> Bool {
        options.measurements.contains(measurement)
    }

    private func prepareDatabase() throws {
        workDirectory = try TemporaryFolder.make(prefix: "procure-bench-").path
        if let database = options.database {
            conninfo = database
            pgbenchConninfo = database
            let connection = try Connection(conninfo)
            let existing = try connection.query(
                "SELECT CASE WHEN to_regclass('procure.orders') IS NULL THEN 0 ELSE 1 END AS migrated").first?["migrated"]
            if existing == "1", let count = try connection.query("SELECT count(*) AS n FROM procure.orders").first?["n"], count != "0" {
                throw BenchError("--db: the database already holds \(count) orders; the bench needs an empty (or new) database it may fill")
            }
            log("using the given database; pgbench tables go into it too")
            return
        }
        let home = URL(fileURLWithPath: workDirectory).appendingPathComponent("cluster")
        let cluster = EmbeddedCluster(home: home, settings: options.settings, databaseName: "procure")
        log("creating a throwaway cluster in \(home.path)")
        self.cluster = cluster
        do {
            try cluster.start()
        } catch {
            throw BenchError("cannot start the bench cluster: \(error)")
        }
        conninfo = cluster.conninfo()
        let postgres = try Connection(cluster.conninfo(database: "postgres"))
        try postgres.execute(script: "CREATE DATABASE bench_pgbench")
        pgbenchConninfo = cluster.conninfo(database: "bench_pgbench")
    }

    private func cleanUp() {
        guard !workDirectory.isEmpty else { return }
        if let cluster {
            if options.keep {
                log("kept the cluster: PROCURE_HOME=\(cluster.home.path) (stop it with `PROCURE_HOME=\(cluster.home.path) procure db stop`)")
                return
            }
            try? cluster.stop()
            try? FileManager.default.removeItem(atPath: workDirectory)
        } else if !options.keep {
            try? FileManager.default.removeItem(atPath: workDirectory)
        }
    }

    private func describeMachine() throws -> [(String, JSONValue)] {
        let connection = try Connection(conninfo)
        let version = try connection.query("SELECT current_setting('server_version') AS v").first?["v"] ?? "?"
        let settings = try connection.query("""
            SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) AS s FROM pg_settings
             WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit', 'max_connections', 'max_locks_per_transaction', 'work_mem', 'wal_level')
            """).first?["s"] ?? ""
        var memory = "?"
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
            memory = BenchStats.format(kib / 1024 / 1024, decimals: 1) + " GiB"
        }
        var cpu = "?"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            cpu = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        return [
            ("cpus", .number(String(ProcessInfo.processInfo.activeProcessorCount))),
            ("cpu", .string(cpu)),
            ("memory", .string(memory)),
            ("postgresql", .string(version)),
            ("server_settings", .string(settings)),
        ]
    }

    // MARK: - Helpers

    func procure(_ words: [String], actor: String? = nil, format: String = "json") -> [String] {
        var argv = [procureBinary, "--db", conninfo, "--format", format]
        if let actor { argv += ["--as", actor] }
        return argv + words
    }

    /// A client tool (psql, pgbench): `ServerBinaries.clientTool`, else the bare name.
    func tool(_ name: String) -> String {
        binaries.clientTool(name) ?? name
    }

    func psql(_ sql: String, conninfo: String? = nil) -> [String] {
        [tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo ?? self.conninfo, "-c", sql]
    }

    func file(_ name: String) -> String { workDirectory + "/" + name }

    /// Runs a child to its end; a non-zero exit is an error naming its stderr.
    @discardableResult
    func runChecked(_ argv: [String], input: SpawnedProcess.Input = .null, output: SpawnedProcess.Output = .null) throws -> SpawnedProcess.Termination {
        let errors = file("stderr.txt")
        let exit = try SpawnedProcess(argv, input: input, output: output, error: .file(errors)).waitForTermination()
        if exit.outcome.status != 0 {
            let text = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw BenchError("\(URL(fileURLWithPath: argv[0]).lastPathComponent) \(argv.dropFirst().prefix(12).joined(separator: " ")) exited \(exit.outcome.status): \(text.prefix(2000))")
        }
        return exit
    }

    func add(_ result: BenchResult) {
        results.append(result)
        log("\(result.measure): \(BenchStats.format(result.value)) \(result.unit) vs \(result.anchor.map { BenchStats.format($0) } ?? "-") → ratio \(BenchStats.format(result.ratio, decimals: 3)) (target \(result.target))")
    }
}
