import Foundation
import Postgres
import ProcessSupport

extension Benchmark {
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
            ratio: value / anchor, target: "≥ 0.50", meets: value / anchor >= 0.5,
            samples: "procure " + BenchStats.samplesText(mine, decimals: 1) + " | pgbench " + BenchStats.samplesText(theirs, decimals: 1)))
        let wal = BenchStats.median(walCorrection)
        let walAnchor = BenchStats.median(walPgbench)
        add(BenchResult(
            measure: "WAL per correction", value: wal, anchor: walAnchor, unit: "B",
            anchorName: "WAL per pgbench transaction (the same runs)", ratio: wal / walAnchor,
            target: "≤ 5.00", meets: wal / walAnchor <= 5,
            samples: "procure " + BenchStats.samplesText(walCorrection, decimals: 0) + " | pgbench " + BenchStats.samplesText(walPgbench, decimals: 0)))
        detail("client CPU per correction (ms, user+sys of the procure processes)", .string(BenchStats.format(BenchStats.median(clientCPU))))
        if failures > 0 {
            detail("correction failures", .string("\(failures) lines failed; first: \(firstFailure ?? "?")"))
        }
        // Scaling 1 → N clients shows whether unrelated writers wait on each other.
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
        var children: [SpawnedProcess] = []
        var outputs: [String] = []
        for (client, slice) in slices.enumerated() {
            let input = file("correct-\(tag)-\(client).txt")
            try (slice.map { data.correctionLine($0) }.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
            outputs.append(file("correct-\(tag)-\(client).out"))
        }
        let begun = MonotonicClock.now()
        for (client, output) in outputs.enumerated() {
            children.append(try SpawnedProcess(procure([]), input: .file(file("correct-\(tag)-\(client).txt")),
                                           output: .file(output), error: .file(output + ".err")))
        }
        let deadline = begun + Double(options.seconds)
        var ended = begun
        while true {
            let running = children.filter { $0.poll() == nil }
            if running.isEmpty { ended = MonotonicClock.now(); break }
            if MonotonicClock.now() >= deadline {
                ended = MonotonicClock.now()
                running.forEach { $0.terminate() }
                running.forEach { $0.waitForExit() }
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
        let cpu = children.compactMap { $0.termination?.cpuSeconds }.reduce(0, +)
        return CorrectionRun(ok: ok, failed: failed, seconds: ended - begun, firstFailure: firstFailure, clientCPU: cpu)
    }
}
