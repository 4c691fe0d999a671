import Foundation
import Postgres
import ProcessSupport

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
            target: "≤ 1.30", meets: value / anchor <= 1.3,
            samples: "procure " + BenchStats.samplesText(procureMedians) + " | psql " + BenchStats.samplesText(psqlMedians)))

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
}
