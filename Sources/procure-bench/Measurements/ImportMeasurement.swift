import Foundation
import Postgres
import ProcessSupport

extension Benchmark {
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
            target: "≥ 0.04", meets: value / anchor >= 0.04,
            samples: "procure " + BenchStats.samplesText(mine, decimals: 0) + " | \\copy " + BenchStats.samplesText(theirs, decimals: 0)))
    }
}
