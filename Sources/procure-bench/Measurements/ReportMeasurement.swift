import Foundation
import Postgres
import ProcessSupport

extension Benchmark {
    // MARK: 3. reports vs hand-written SQL

    func measureReports(_ admin: Connection) throws {
        // The supplier's claim and finance's side: a third of the liabilities claimed and agreed
        // (those of 0.00 are settled as they are agreed), a sixth settled (set-based).
        try admin.execute(script: """
            UPDATE procure.liabilities SET status = 'claimed' WHERE status = 'open' AND correction_id % 3 = 0;
            UPDATE procure.liabilities SET status = 'agreed' WHERE status = 'claimed' AND correction_id % 3 = 0;
            UPDATE procure.liabilities SET status = 'settled', settle_ref = 'bench' WHERE status = 'agreed' AND correction_id % 2 = 0;
            ANALYZE
            """)
        try admin.execute(script: "SET statement_timeout = '900s'")
        for report in ReportAnchors.all {
            let exists = try admin.query("SELECT to_regproc($1) IS NOT NULL AS e", [report.function]).first?["e"] == "t"
            guard exists else {
                detail("report \(report.name)", .string("skipped: \(report.function) does not exist"))
                continue
            }
            let functionSQL = "SELECT * FROM \(report.function)(NULL, NULL, NULL, NULL)"
            func wrapped(_ sql: String) -> String { "SELECT coalesce(jsonb_agg(t), '[]')::text AS j FROM (\(sql)) t" }
            // Same rows? (also the warm-up)
            let a = try admin.query(wrapped(functionSQL)).first?["j"] ?? ""
            let b = try admin.query(wrapped(report.anchorSQL)).first?["j"] ?? ""
            detail("report \(report.name): hand SQL returns the same rows", .bool(a == b))
            if a != b {
                detail("report \(report.name): function rows", .string(String(a.prefix(1500))))
                detail("report \(report.name): hand SQL rows", .string(String(b.prefix(1500))))
            }
            var functionTimes: [Double] = []
            var handTimes: [Double] = []
            for _ in 0..<options.repeats {
                var begun = MonotonicClock.now()
                _ = try admin.query(wrapped(functionSQL))
                functionTimes.append((MonotonicClock.now() - begun) * 1000)
                begun = MonotonicClock.now()
                _ = try admin.query(wrapped(report.anchorSQL))
                handTimes.append((MonotonicClock.now() - begun) * 1000)
            }
            let value = BenchStats.median(functionTimes)
            let anchor = BenchStats.median(handTimes)
            add(BenchResult(
                measure: "report \(report.name) (SQL function / view)", value: value, anchor: anchor, unit: "ms",
                anchorName: "hand-written SQL, same connection", ratio: value / anchor, target: "≤ 1.20",
                meets: value / anchor <= 1.2,
                samples: "function " + BenchStats.samplesText(functionTimes) + " | hand " + BenchStats.samplesText(handTimes)))
            var verbTimes: [Double] = []
            var psqlTimes: [Double] = []
            try runChecked(procure(["report", report.name]))
            for _ in 0..<options.repeats {
                verbTimes.append(try runChecked(procure(["report", report.name])).seconds * 1000)
                psqlTimes.append(try runChecked(psql(report.anchorSQL)).seconds * 1000)
            }
            let verb = BenchStats.median(verbTimes)
            let hand = BenchStats.median(psqlTimes)
            add(BenchResult(
                measure: "report \(report.name) (procure verb, one-shot)", value: verb, anchor: hand, unit: "ms",
                anchorName: "psql -c hand-written SQL", ratio: verb / hand, target: "≤ 1.20", meets: verb / hand <= 1.2,
                samples: "procure " + BenchStats.samplesText(verbTimes) + " | psql " + BenchStats.samplesText(psqlTimes)))
        }
    }
}
