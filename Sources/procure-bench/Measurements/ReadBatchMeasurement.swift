import Foundation
import Postgres
import ProcessSupport

extension Benchmark {
    // MARK: 6. a batch of reads vs psql -f

    /// `--read-lines` lines of `po show N --as B` (orders of one buyer) piped into one `procure`
    /// batch process, against `psql -f` running the same reads as the same role (`SET ROLE B`
    /// once, then one `SELECT procure.po_show('N')` a line); lines per second of each, output
    /// thrown away alike.
    func measureReadBatch() throws {
        let buyer = 0
        let orders = (0..<options.shape.orders).filter { $0 % options.shape.buyers == buyer }.map { data.order($0) }
        guard !orders.isEmpty else { throw BenchError("no orders for the read batch") }
        let count = max(1, options.readLines)
        let picks = (0..<count).map { orders[($0 &* 7919) % orders.count] }
        let role = BenchNames.buyer(buyer)
        let mine = file("reads.txt")
        let theirs = file("reads.sql")
        try (picks.map { "po show \($0.number) --as \(role)" }.joined(separator: "\n") + "\n")
            .write(toFile: mine, atomically: true, encoding: .utf8)
        try ("SET ROLE \(role);\n" + picks.map { "SELECT procure.po_show('\($0.number)');" }.joined(separator: "\n") + "\n")
            .write(toFile: theirs, atomically: true, encoding: .utf8)
        log("read batch: \(count) po show lines, procure batch vs psql -f")
        // the lines must succeed, or we would measure error handling
        let checkOut = file("reads.out")
        try runChecked(procure([]), input: .file(mine), output: .file(checkOut))
        let text = (try? String(contentsOfFile: checkOut, encoding: .utf8)) ?? ""
        if let bad = text.split(separator: "\n").first(where: { !$0.contains("\"ok\":true") }) {
            throw BenchError("read batch lines fail: \(bad.prefix(500))")
        }
        var procureRates: [Double] = []
        var psqlRates: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<options.repeats {
            let exit = try runChecked(procure([]), input: .file(mine))
            procureRates.append(Double(count) / exit.seconds)
            cpu.append(exit.cpuSeconds / Double(count) * 1000)
            let anchor = try runChecked([tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo,
                                         "-f", theirs, "-o", "/dev/null"])
            psqlRates.append(Double(count) / anchor.seconds)
        }
        let value = BenchStats.median(procureRates)
        let anchor = BenchStats.median(psqlRates)
        add(BenchResult(
            measure: "read batch (\(count) po show lines, one procure process)", value: value, anchor: anchor, unit: "lines/s",
            anchorName: "psql -f of the same reads as the same role", ratio: value / anchor,
            target: "≥ 0.80", meets: value / anchor >= 0.8,
            samples: "procure " + BenchStats.samplesText(procureRates, decimals: 0) + " | psql " + BenchStats.samplesText(psqlRates, decimals: 0)))
        detail("client CPU per read line (ms, user+sys of the procure process)", .string(BenchStats.format(BenchStats.median(cpu), decimals: 3)))
    }
}
