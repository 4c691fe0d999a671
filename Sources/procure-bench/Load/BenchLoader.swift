import Foundation
import Postgres
import ProcessSupport

/// Fills the bench database: master data through the normal verbs (one `procure` batch
/// process), orders through `procure import orders` in chunks, then the supplier's side of the
/// life cycle (issue, acknowledge, production reports, payments, price edits) set-based in SQL.
/// The database's triggers check and audit every row either way.
struct BenchLoader {
    let bench: Benchmark
    /// Orders per `import orders` call and per set-based statement. Each order is its own audit
    /// chain and every chain written in a transaction holds an advisory lock until commit, so a
    /// statement over too many orders runs out of the lock table (see docs/benchmarks.md).
    let chunk: Int

    struct Phase {
        let name: String
        let seconds: Double
        let rows: Int
    }

    func load() throws -> [Phase] {
        var phases: [Phase] = []
        let data = bench.data
        let shape = data.shape

        var started = MonotonicClock.now()
        var lines: [[String]] = []
        bench.log("master data: \(shape.suppliers) suppliers, \(shape.items) items, \(shape.suppliers * shape.items) prices, \(shape.buyers) buyers")
        let regimes = ["cost", "schedule", "expectation"]
        for supplier in 0..<shape.suppliers {
            var words = ["supplier", "add", BenchNames.supplier(supplier), "--name", "\"Bench supplier \(supplier + 1)\"",
                         "--regime", regimes[supplier % 3], "--claim-days", "30"]
            switch regimes[supplier % 3] {
            case "cost": words += ["--profit-rate", "8"]
            case "schedule": words += ["--schedule", "acknowledged=5,materials=25,production=50,finished=100"]
            default: break
            }
            lines.append(words)
        }
        for item in 0..<shape.items {
            lines.append(["item", "add", BenchNames.sku(item), "--name", "\"Bench item \(item + 1)\""])
        }
        for supplier in 0..<shape.suppliers {
            for item in 0..<shape.items {
                lines.append(["price", "set", BenchNames.supplier(supplier), BenchNames.sku(item),
                              BenchNames.price(data.basePriceUnits(supplier: supplier, item: item)),
                              "--from", BenchDataSet.priceFrom])
            }
        }
        for buyer in 0..<shape.buyers {
            lines.append(["user", "add", BenchNames.buyer(buyer), "--role", "buyer", "--max-discount", "15"])
        }
        lines.append(["user", "add", BenchNames.finance, "--role", "finance"])
        try runBatch(lines.map { $0.joined(separator: " ") }, name: "master-data")
        phases.append(Phase(name: "master data (\(lines.count) verbs)", seconds: MonotonicClock.now() - started, rows: lines.count))

        // Orders: one CSV per buyer and chunk, each through `import orders --as BUYER`, the
        // buyers in turn. The statistics are refreshed after the first round and then every
        // tenth: with statistics that do not know the importing buyer yet, the planner checks
        // the order_lines RLS policy through orders_buyer_idx instead of the primary key and
        // every import slows down with the buyer's order count (see docs/benchmarks.md).
        started = MonotonicClock.now()
        var rows = 0
        var imports = 0
        let csv = bench.file("load.csv")
        let admin = try Connection(bench.conninfo)
        let perBuyer = (shape.orders + shape.buyers - 1) / shape.buyers
        var round = 0
        for slice in stride(from: 0, to: perBuyer, by: chunk) {
            for buyer in 0..<shape.buyers {
                let first = buyer + slice * shape.buyers
                if first >= shape.orders { continue }
                let mine = stride(from: first, to: min(shape.orders, buyer + (slice + chunk) * shape.buyers), by: shape.buyers)
                rows += try data.writeCSV(path: csv, indices: mine)
                try bench.runChecked(bench.procure(["import", "orders", csv], actor: BenchNames.buyer(buyer)))
                imports += 1
            }
            round += 1
            if round == 1 || round % 10 == 0 { try admin.execute(script: "ANALYZE procure.orders, procure.order_lines") }
            bench.log("imported \(rows) lines (\(imports) files)")
        }
        try? FileManager.default.removeItem(atPath: csv)
        phases.append(Phase(name: "import orders (\(imports) files)", seconds: MonotonicClock.now() - started, rows: rows))

        func setBased(_ name: String, _ sql: String, where wanted: (Int) -> Bool) throws {
            let begun = MonotonicClock.now()
            var touched = 0
            var batch: [String] = []
            func flush() throws {
                guard !batch.isEmpty else { return }
                touched += try admin.query(sql, ["{" + batch.joined(separator: ",") + "}"]).affectedRows
                batch.removeAll(keepingCapacity: true)
            }
            for index in 0..<shape.orders where wanted(index) {
                batch.append(BenchNames.order("BX", index))
                if batch.count >= chunk { try flush() }
            }
            try flush()
            phases.append(Phase(name: name, seconds: MonotonicClock.now() - begun, rows: touched))
            bench.log("\(name): \(touched) rows")
        }
        try setBased("issue (set-based)",
                     "UPDATE procure.orders SET status = 'issued' WHERE number = ANY($1::text[]) AND status = 'draft'",
                     where: { BenchOrderState.of($0) != .draft })
        try setBased("acknowledge (set-based)",
                     "UPDATE procure.orders SET status = 'acknowledged' WHERE number = ANY($1::text[]) AND status = 'issued'",
                     where: { BenchOrderState.of($0) == .acknowledged })
        // Production on the first two lines: 30 % finished, 20 % in progress, the rest not started.
        try setBased("production reports (set-based)", """
            INSERT INTO procure.production_reports
                (supplier_id, order_id, line_no, stage, finished, in_progress, wip_cost, materials, salvage,
                 cost_to_complete, as_of)
            SELECT l.supplier_id, l.order_id, l.line_no, 'production',
                   floor(l.qty * 0.3), floor(l.qty * 0.2),
                   round(floor(l.qty * 0.2) * l.price * 0.4, 2),
                   round((l.qty - floor(l.qty * 0.3) - floor(l.qty * 0.2)) * l.price * 0.1, 2),
                   round(floor(l.qty * 0.3) * l.price * 0.05, 2),
                   round((l.qty - floor(l.qty * 0.3)) * l.price * 0.3, 2),
                   now()                  -- after the issue (an earlier transaction), as a report must be
              FROM procure.orders o
              JOIN procure.order_lines l ON l.supplier_id = o.supplier_id AND l.order_id = o.id
             WHERE o.number = ANY($1::text[]) AND l.line_no <= 2
             ORDER BY l.supplier_id, l.order_id, l.line_no
            """, where: { BenchOrderState.of($0) == .inProduction })
        try setBased("advance payments (set-based)", """
            INSERT INTO procure.payments (supplier_id, order_id, amount)
            SELECT o.supplier_id, o.id, greatest(round(procure.order_total(o.supplier_id, o.id) * 0.1, 2), 0.01)
              FROM procure.orders o WHERE o.number = ANY($1::text[])
            """, where: { $0 % 20 == 0 })
        try setBased("accepted price edits (set-based)", """
            UPDATE procure.order_lines l SET price = round(l.base_price * 0.95, 4)
              FROM procure.orders o
             WHERE o.number = ANY($1::text[]) AND l.supplier_id = o.supplier_id AND l.order_id = o.id
               AND l.line_no = 1 AND l.price <> round(l.base_price * 0.95, 4)
            """, where: { $0 % 50 == 3 })
        try setBased("refused price edits (set-based)", """
            INSERT INTO procure.price_edits (supplier_id, order_id, line_no, actor, old_price, new_price, base_price, accepted, code)
            SELECT l.supplier_id, l.order_id, l.line_no, o.buyer, l.price, l.base_price + 1, l.base_price, false, 'price_above_base'
              FROM procure.orders o
              JOIN procure.order_lines l ON l.supplier_id = o.supplier_id AND l.order_id = o.id AND l.line_no = 1
             WHERE o.number = ANY($1::text[])
            """, where: { $0 % 97 == 5 })
        started = MonotonicClock.now()
        try admin.execute(script: "VACUUM ANALYZE")
        phases.append(Phase(name: "vacuum analyze", seconds: MonotonicClock.now() - started, rows: 0))
        return phases
    }

    /// Runs `lines` through one `procure` batch process; every line must succeed.
    private func runBatch(_ lines: [String], name: String) throws {
        let input = bench.file(name + ".txt")
        let output = bench.file(name + ".out")
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        try bench.runChecked(bench.procure(["--stop-on-error"]), input: .file(input), output: .file(output))
        let answers = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n")
        if let failure = answers.first(where: { !$0.contains("\"ok\":true") }) {
            throw BenchError("\(name): \(failure.prefix(500))")
        }
        guard answers.count == lines.count else {
            throw BenchError("\(name): \(answers.count) answers to \(lines.count) lines")
        }
    }
}
