import Foundation
import Postgres
import ProcurementStore

/// The measurements of SPEC §10, each next to its anchor.
extension Benchmark {
    // MARK: 4. po show one-shot vs psql -c

    /// Spawns the release binary for one `po show` (connect, migration check, SET ROLE, the
    /// call, JSON out, exit) and psql doing the same read as the same role; median wall times.
    func measureShow() throws {
        let samples = max(1, options.showSamples)
        let picks = (0..<samples).map { data.order(($0 * 7919 + 13) % options.shape.orders) }
        log("po show: \(samples) one-shot processes × \(options.repeats) vs psql -c")
        // Warm the caches and the page cache of both binaries.
        for order in picks.prefix(2) {
            try runChecked(procure(["po", "show", order.number], actor: BenchNames.buyer(order.buyer)))
            try runChecked(psql(showSQL(order)))
        }
        var procureMedians: [Double] = []
        var psqlMedians: [Double] = []
        var all: [Double] = []
        for _ in 0..<options.repeats {
            var mine: [Double] = []
            var theirs: [Double] = []
            for order in picks {
                mine.append(try runChecked(procure(["po", "show", order.number], actor: BenchNames.buyer(order.buyer))).seconds)
                theirs.append(try runChecked(psql(showSQL(order))).seconds)
            }
            all += mine
            procureMedians.append(BenchStats.median(mine) * 1000)
            psqlMedians.append(BenchStats.median(theirs) * 1000)
        }
        let value = BenchStats.median(procureMedians)
        let anchor = BenchStats.median(psqlMedians)
        add(BenchResult(
            measure: "po show one-shot (median of \(samples))", value: value, anchor: anchor, unit: "ms",
            anchorName: "psql -c \"SET ROLE buyer; SELECT procure.po_show(N)\"", ratio: value / anchor,
            target: "≤ 1.50", meets: value / anchor <= 1.5,
            samples: "procure " + Benchmark.samplesText(procureMedians) + " | psql " + Benchmark.samplesText(psqlMedians)))

        // Where a one-shot's time goes: the bare process (no database), psql's bare connection.
        var bare: [Double] = []
        var psqlBare: [Double] = []
        var tinyRead: [Double] = []
        for _ in 0..<samples {
            bare.append(try runChecked([procureBinary, "--help"]).seconds * 1000)
            psqlBare.append(try runChecked(psql("SELECT 1")).seconds * 1000)
            tinyRead.append(try runChecked(procure(["price", "list", BenchNames.supplier(0), "--on", "1999-01-01"])).seconds * 1000)
        }
        detail("po show breakdown (median ms)", .object([
            ("procure --help (process start, no database)", .string(BenchStats.format(BenchStats.median(bare)))),
            ("procure price list (tiny read; connect + migration check + call)", .string(BenchStats.format(BenchStats.median(tinyRead)))),
            ("procure po show", .string(BenchStats.format(BenchStats.median(all) * 1000))),
            ("psql -c SELECT 1", .string(BenchStats.format(BenchStats.median(psqlBare)))),
        ]))
    }

    private func showSQL(_ order: BenchOrder) -> String {
        "SET ROLE \(BenchNames.buyer(order.buyer)); SELECT procure.po_show('\(order.number)')"
    }

    // MARK: 5. peak memory of a long batch

    /// Pipes `--batch-lines` lines (`po show` of every order in turn, with a `price list` every
    /// tenth line) into one `procure` batch process and reads its peak RSS (ru_maxrss at exit),
    /// sampling VmRSS on the way to show it stays flat. Stops feeding at `--batch-seconds`.
    func measureMemory() throws {
        let total = max(1, options.batchLines)
        func line(_ index: Int) -> String {
            if index % 10 == 9 { return "price list \(BenchNames.supplier(index % options.shape.suppliers))" }
            let order = data.order((index &* 7) % options.shape.orders)
            return "po show \(order.number) --as \(BenchNames.buyer(order.buyer))"
        }
        // The lines must succeed, or we would measure error handling.
        let check = file("batch-check.txt")
        try (0..<20).map(line).joined(separator: "\n").appending("\n").write(toFile: check, atomically: true, encoding: .utf8)
        let checkOut = file("batch-check.out")
        try runChecked(procure([]), input: .file(check), output: .file(checkOut))
        let failures = ((try? String(contentsOfFile: checkOut, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { !$0.contains("\"ok\":true") }
        if !failures.isEmpty { throw BenchError("batch lines fail: \(failures.first!.prefix(500))") }

        log("batch memory: up to \(total) lines piped into one procure process (at most \(options.batchSeconds) s)")
        let child = try BenchChild(procure([]), input: .pipe, output: .null, error: .file(file("batch.err")))
        let begun = BenchClock.now()
        var written = 0
        var nextSample = begun + 1
        var rss: [(Int, Int)] = []
        var chunk = [UInt8]()
        chunk.reserveCapacity(256 * 1024)
        while written < total && BenchClock.now() - begun < Double(options.batchSeconds) {
            chunk.removeAll(keepingCapacity: true)
            let end = min(total, written + 500)
            for index in written..<end {
                chunk.append(contentsOf: line(index).utf8)
                chunk.append(10)
            }
            guard child.write(chunk) else { break }
            written = end
            if BenchClock.now() >= nextSample {
                if let kib = child.residentKiB() { rss.append((written, kib)) }
                nextSample += max(1, Double(options.batchSeconds) / 20)
            }
        }
        child.closeInput()
        guard let exit = child.wait() else { throw BenchError("batch process lost") }
        let seconds = exit.seconds
        if exit.status != 0 {
            let text = (try? String(contentsOfFile: file("batch.err"), encoding: .utf8)) ?? ""
            throw BenchError("the batch process exited \(exit.status): \(text.prefix(1000))")
        }
        let peak = Double(exit.maxRSSKiB) / 1024
        let complete = written >= total
        add(BenchResult(
            measure: "batch peak memory (\(written) lines\(complete ? "" : " of \(total), time limit"))",
            value: peak, anchor: 64, unit: "MiB", anchorName: "SPEC limit 64 MiB", ratio: peak / 64,
            target: "≤ 1.00", meets: peak < 64,
            samples: "VmRSS lines:MiB " + rss.map { "\($0.0):\(BenchStats.format(Double($0.1) / 1024, decimals: 1))" }.joined(separator: " ")))
        detail("batch throughput", .string("\(written) lines in \(BenchStats.format(seconds)) s = \(BenchStats.format(Double(written) / seconds, decimals: 0)) lines/s"))
    }

    // MARK: 2. import orders vs \copy

    func measureImport(_ admin: Connection) throws {
        let orders = max(1, options.importRows / options.shape.linesPerOrder)
        log("import: \(orders) orders (\(orders * options.shape.linesPerOrder) rows) per file, \(options.repeats) files, each vs psql \\copy")
        try admin.execute(script: """
            CREATE TABLE IF NOT EXISTS public.bench_bare (number text, supplier text, order_date text, sku text, qty text, price text)
            """)
        var mine: [Double] = []
        var theirs: [Double] = []
        var rows = 0
        var walPerRow: [Double] = []
        var walCopyPerRow: [Double] = []
        for round in 0..<options.repeats {
            let path = file("import-\(round + 1).csv")
            rows = try data.writeCSV(path: path, indices: 0..<orders, prefix: "IM\(round + 1)", stream: 100 + UInt64(round))
            try admin.execute(script: "TRUNCATE public.bench_bare; CHECKPOINT")
            let copyLSN = try walPosition(admin)
            let copy = try runChecked(psql("\\copy public.bench_bare FROM '\(path)' CSV HEADER"))
            walCopyPerRow.append(try walBytes(admin, from: copyLSN, to: try walPosition(admin)) / Double(rows))
            try admin.execute(script: "CHECKPOINT")
            let out = file("import.out")
            let lsn = try walPosition(admin)
            let load = try runChecked(procure(["import", "orders", path], actor: BenchNames.buyer(0)), output: .file(out))
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            guard text.contains("\"ok\":true") else { throw BenchError("import failed: \(text.prefix(1000))") }
            walPerRow.append(try walBytes(admin, from: lsn, to: try walPosition(admin)) / Double(rows))
            theirs.append(Double(rows) / copy.seconds)
            mine.append(Double(rows) / load.seconds)
            log("import round \(round + 1): procure \(BenchStats.format(load.seconds)) s, \\copy \(BenchStats.format(copy.seconds)) s")
            try? FileManager.default.removeItem(atPath: path)
        }
        try admin.execute(script: "DROP TABLE public.bench_bare")
        detail("import WAL per row (bytes, median)", .string(
            "import orders \(BenchStats.format(BenchStats.median(walPerRow), decimals: 0)) vs \\copy into the bare table \(BenchStats.format(BenchStats.median(walCopyPerRow), decimals: 0))"))
        let value = BenchStats.median(mine)
        let anchor = BenchStats.median(theirs)
        add(BenchResult(
            measure: "import orders (\(rows) rows per file)", value: value, anchor: anchor, unit: "rows/s",
            anchorName: "psql \\copy of the same CSV into a bare table", ratio: value / anchor,
            target: "≥ 0.80", meets: value / anchor >= 0.8,
            samples: "procure " + Benchmark.samplesText(mine, decimals: 0) + " | \\copy " + Benchmark.samplesText(theirs, decimals: 0)))
    }

    // MARK: 1. corrections/s at N clients vs pgbench TPS

    func measureCorrections(_ admin: Connection) throws {
        let clients = max(1, options.clients)
        log("pgbench -i -s \(options.pgbenchScale)")
        try runChecked([tool("pgbench"), "-i", "-q", "-s", String(options.pgbenchScale), pgbenchConninfo],
                       output: .file(file("pgbench-init.txt")))
        // Each client gets its own orders; each round a fresh slice of them.
        var perClient: [[Int]] = Array(repeating: [], count: clients)
        for index in 0..<options.shape.orders where BenchOrderState.of(index).correctable {
            perClient[index % clients].append(index)
        }
        let rounds = options.repeats + 1   // one more slice for the single-client run
        let perRound = (perClient.map(\.count).min() ?? 0) / rounds
        let cap = min(perRound, 100 * options.seconds * 20)
        guard cap > 0 else { throw BenchError("not enough issued orders for the correction runs; use more --orders") }

        var mine: [Double] = []
        var theirs: [Double] = []
        var failures = 0
        var firstFailure: String?
        var walCorrection: [Double] = []
        var walPgbench: [Double] = []
        var clientCPU: [Double] = []
        for round in 0..<options.repeats {
            var lsn = try walPosition(admin)
            let (tps, transactions) = try pgbench(clients: clients)
            var next = try walPosition(admin)
            walPgbench.append(try walBytes(admin, from: lsn, to: next) / Double(max(transactions, 1)))
            theirs.append(tps)
            let slices = (0..<clients).map { Array(perClient[$0][(round * perRound)..<(round * perRound + cap)]) }
            lsn = next
            let run = try corrections(slices, tag: "r\(round + 1)")
            next = try walPosition(admin)
            walCorrection.append(try walBytes(admin, from: lsn, to: next) / Double(max(run.ok, 1)))
            clientCPU.append(run.clientCPU / Double(max(run.ok, 1)) * 1000)
            mine.append(run.rate)
            failures += run.failed
            firstFailure = firstFailure ?? run.firstFailure
            log("round \(round + 1): pgbench \(BenchStats.format(tps, decimals: 1)) tps, corrections \(BenchStats.format(run.rate, decimals: 1))/s (\(run.ok) in \(BenchStats.format(run.seconds)) s)")
        }
        let value = BenchStats.median(mine)
        let anchor = BenchStats.median(theirs)
        add(BenchResult(
            measure: "corrections/s at \(clients) clients (procure batch processes)", value: value, anchor: anchor, unit: "/s",
            anchorName: "pgbench -c \(clients) -j 2 -T \(options.seconds) TPS (TPC-B, -s \(options.pgbenchScale))",
            ratio: value / anchor, target: "≥ 1.00", meets: value >= anchor,
            samples: "procure " + Benchmark.samplesText(mine, decimals: 1) + " | pgbench " + Benchmark.samplesText(theirs, decimals: 1)))
        detail("WAL per transaction (bytes, median)", .string(
            "correction \(BenchStats.format(BenchStats.median(walCorrection), decimals: 0)) vs pgbench \(BenchStats.format(BenchStats.median(walPgbench), decimals: 0))"))
        detail("client CPU per correction (ms, user+sys of the procure processes)", .string(BenchStats.format(BenchStats.median(clientCPU))))
        if failures > 0 {
            detail("correction failures", .string("\(failures) lines failed; first: \(firstFailure ?? "?")"))
        }
        // Scaling 1 → N clients shows whether unrelated writers wait on each other (SPEC §5).
        let single = try corrections([Array(perClient[0][(options.repeats * perRound)..<(options.repeats * perRound + cap)])], tag: "single")
        detail("corrections/s at 1 client", .string("\(BenchStats.format(single.rate, decimals: 1))/s; \(clients) clients give \(BenchStats.format(value / single.rate)) × (the machine has \(ProcessInfo.processInfo.activeProcessorCount) cores for server and clients together)"))
        let pgbenchSingle = try pgbench(clients: 1).tps
        detail("pgbench TPS at 1 client", .string(BenchStats.format(pgbenchSingle, decimals: 1)))
    }

    func walPosition(_ admin: Connection) throws -> String {
        try admin.query("SELECT pg_current_wal_insert_lsn()::text AS l").first?["l"] ?? "0/0"
    }

    func walBytes(_ admin: Connection, from: String, to: String) throws -> Double {
        Double(try admin.query("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS d", [to, from]).first?["d"] ?? "0") ?? 0
    }

    private func pgbench(clients: Int) throws -> (tps: Double, transactions: Int) {
        let out = file("pgbench.txt")
        try runChecked([tool("pgbench"), "-c", String(clients), "-j", String(min(2, clients)), "-T", String(options.seconds),
                        pgbenchConninfo], output: .file(out))
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(line.dropFirst(6).prefix { $0 != " " }) else {
            throw BenchError("cannot read pgbench's tps from: \(text.suffix(500))")
        }
        let processed = text.split(separator: "\n").first { $0.hasPrefix("number of transactions actually processed: ") }
            .flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber } ?? "") } ?? 0
        return (tps, processed)
    }

    struct CorrectionRun {
        let ok: Int
        let failed: Int
        let seconds: Double
        let firstFailure: String?
        let clientCPU: Double
        var rate: Double { Double(ok) / seconds }
    }

    /// One `procure` batch process per slice, each reading its `correct` lines from a file on
    /// stdin; the run ends when all are done or after `--seconds` (the rest are stopped and
    /// only answered lines count).
    private func corrections(_ slices: [[Int]], tag: String) throws -> CorrectionRun {
        var children: [BenchChild] = []
        var outputs: [String] = []
        for (client, slice) in slices.enumerated() {
            let input = file("correct-\(tag)-\(client).txt")
            try (slice.map { data.correctionLine($0) }.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
            outputs.append(file("correct-\(tag)-\(client).out"))
        }
        let begun = BenchClock.now()
        for (client, output) in outputs.enumerated() {
            children.append(try BenchChild(procure([]), input: .file(file("correct-\(tag)-\(client).txt")),
                                           output: .file(output), error: .file(output + ".err")))
        }
        let deadline = begun + Double(options.seconds)
        var ended = begun
        while true {
            let running = children.filter { $0.wait(block: false) == nil }
            if running.isEmpty { ended = BenchClock.now(); break }
            if BenchClock.now() >= deadline {
                ended = BenchClock.now()
                running.forEach { $0.terminate() }
                running.forEach { $0.wait() }
                break
            }
            usleep(2000)
        }
        var ok = 0
        var failed = 0
        var firstFailure: String?
        for output in outputs {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasSuffix("}") {
                if line.contains("\"ok\":true") { ok += 1 } else {
                    failed += 1
                    if firstFailure == nil { firstFailure = String(line.prefix(500)) }
                }
            }
        }
        let cpu = children.compactMap { $0.exit?.cpuSeconds }.reduce(0, +)
        return CorrectionRun(ok: ok, failed: failed, seconds: ended - begun, firstFailure: firstFailure, clientCPU: cpu)
    }

    // MARK: 3. reports vs hand-written SQL

    func measureReports(_ admin: Connection) throws {
        // Finance's side: a third of the liabilities agreed, a sixth settled (set-based).
        try admin.execute(script: """
            UPDATE procure.liabilities SET status = 'agreed' WHERE status = 'open' AND correction_id % 3 = 0;
            UPDATE procure.liabilities SET status = 'settled', settle_ref = 'bench' WHERE status = 'agreed' AND correction_id % 2 = 0;
            ANALYZE
            """)
        try admin.execute(script: "SET statement_timeout = '900s'")
        let verbExists = (try? ProcureCommandLine.parseAsRoot(["report", "price-compliance"])) != nil
        if !verbExists {
            detail("report verb", .string("`procure report` does not exist in this build: the SQL functions were measured in process only"))
        }
        for report in HandReports.all {
            let exists = try admin.query("SELECT to_regproc($1) IS NOT NULL AS e", [report.function]).first?["e"] == "t"
            guard exists else {
                detail("report \(report.name)", .string("skipped: \(report.function) does not exist"))
                continue
            }
            let functionSQL = "SELECT * FROM \(report.function)(NULL, NULL, NULL, NULL)"
            func wrapped(_ sql: String) -> String { "SELECT coalesce(jsonb_agg(t), '[]')::text AS j FROM (\(sql)) t" }
            // Same rows? (also the warm-up)
            let a = try admin.query(wrapped(functionSQL)).first?["j"] ?? ""
            let b = try admin.query(wrapped(report.handSQL)).first?["j"] ?? ""
            detail("report \(report.name): hand SQL returns the same rows", .bool(a == b))
            if a != b {
                detail("report \(report.name): function rows", .string(String(a.prefix(1500))))
                detail("report \(report.name): hand SQL rows", .string(String(b.prefix(1500))))
            }
            var functionTimes: [Double] = []
            var handTimes: [Double] = []
            for _ in 0..<options.repeats {
                var begun = BenchClock.now()
                _ = try admin.query(wrapped(functionSQL))
                functionTimes.append((BenchClock.now() - begun) * 1000)
                begun = BenchClock.now()
                _ = try admin.query(wrapped(report.handSQL))
                handTimes.append((BenchClock.now() - begun) * 1000)
            }
            let value = BenchStats.median(functionTimes)
            let anchor = BenchStats.median(handTimes)
            add(BenchResult(
                measure: "report \(report.name) (SQL function / view)", value: value, anchor: anchor, unit: "ms",
                anchorName: "hand-written SQL, same connection", ratio: value / anchor, target: "≤ 1.20",
                meets: value / anchor <= 1.2,
                samples: "function " + Benchmark.samplesText(functionTimes) + " | hand " + Benchmark.samplesText(handTimes)))
            guard verbExists else { continue }
            var verbTimes: [Double] = []
            var psqlTimes: [Double] = []
            try runChecked(procure(["report", report.name]))
            for _ in 0..<options.repeats {
                verbTimes.append(try runChecked(procure(["report", report.name])).seconds * 1000)
                psqlTimes.append(try runChecked(psql(report.handSQL)).seconds * 1000)
            }
            let verb = BenchStats.median(verbTimes)
            let hand = BenchStats.median(psqlTimes)
            add(BenchResult(
                measure: "report \(report.name) (procure verb, one-shot)", value: verb, anchor: hand, unit: "ms",
                anchorName: "psql -c hand-written SQL", ratio: verb / hand, target: "≤ 1.20", meets: verb / hand <= 1.2,
                samples: "procure " + Benchmark.samplesText(verbTimes) + " | psql " + Benchmark.samplesText(psqlTimes)))
        }
    }
}
