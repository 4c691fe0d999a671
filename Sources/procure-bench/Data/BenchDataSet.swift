import Foundation
import ProcessSupport

/// The deterministic data set: every order is a pure function of (seed, prefix stream, index).
struct BenchDataSet {
    let shape: BenchShape
    /// 2025-01-01 … 2025-12-31, the order dates.
    let dates: [String]

    static let priceFrom = "2020-01-01"

    init(shape: BenchShape) {
        self.shape = shape
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 2025, month: 1, day: 1))!
        dates = (0..<365).map { offset in
            let day = calendar.date(byAdding: .day, value: offset, to: start)!
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            return "\(parts.year!)-" + BenchNames.pad(parts.month!, 2) + "-" + BenchNames.pad(parts.day!, 2)
        }
    }

    /// The base price of an item at a supplier: 10.0000 … 509.9900.
    func basePriceUnits(supplier: Int, item: Int) -> Int {
        var random = SeededGenerator(seed: shape.seed, stream: 1, index: supplier * 1_000_003 + item)
        return 100_000 + random.below(50_000) * 100
    }

    func order(_ index: Int, prefix: String = "BX", stream: UInt64 = 2) -> BenchOrder {
        var random = SeededGenerator(seed: shape.seed, stream: stream, index: index)
        let supplier = random.below(shape.suppliers)
        let date = dates[random.below(dates.count)]
        var lines: [BenchLine] = []
        var used = Set<Int>()
        let count = min(shape.linesPerOrder, shape.items)
        while lines.count < count {
            let item = random.below(shape.items)
            if !used.insert(item).inserted { continue }
            let qty = 1 + random.below(200)
            var price: Int?
            if random.below(10) < 3 {
                // 1–10 % below base: within every bench buyer's 15 % limit.
                let base = basePriceUnits(supplier: supplier, item: item)
                price = base * (100 - 1 - random.below(10)) / 100
            }
            lines.append(BenchLine(item: item, qty: qty, priceUnits: price))
        }
        return BenchOrder(index: index, number: BenchNames.order(prefix, index), buyer: index % shape.buyers,
                          supplier: supplier, date: date, lines: lines)
    }

    static let csvHeader = "number,supplier,date,sku,qty,price\n"

    func csvRows(_ order: BenchOrder, into out: inout String) {
        for line in order.lines {
            out += order.number + "," + BenchNames.supplier(order.supplier) + "," + order.date + ","
                + BenchNames.sku(line.item) + "," + String(line.qty) + ","
                + (line.priceUnits.map(BenchNames.price) ?? "") + "\n"
        }
    }

    /// Writes the orders to an `import orders` CSV file, streaming.
    func writeCSV(path: String, indices: some Sequence<Int>, prefix: String = "BX", stream: UInt64 = 2) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchError("cannot write \(path)")
        }
        defer { try? handle.close() }
        var buffer = BenchDataSet.csvHeader
        var rows = 0
        for index in indices {
            let order = order(index, prefix: prefix, stream: stream)
            csvRows(order, into: &buffer)
            rows += order.lines.count
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        handle.write(Data(buffer.utf8))
        return rows
    }

    static let reasons = ["wrong-quantity", "wrong-price", "wrong-item", "wrong-date", "wrong-supplier", "other"]

    /// One `correct` batch line for an order: a revocation note and a replacement, with the
    /// replacement going to another supplier for `wrong-supplier` (no reuse) and to the same
    /// one otherwise (reuse of work done).
    func correctionLine(_ index: Int) -> String {
        let order = order(index)
        let reason = BenchDataSet.reasons[index % BenchDataSet.reasons.count]
        var words = ["correct", order.number, "--reason", reason, "--note", "\"bench: \(reason) on \(order.number)\""]
        words.append("--replace")
        for (position, line) in order.lines.enumerated() {
            let qty = max(1, line.qty - 1 - (index + position) % 7)
            words.append(BenchNames.sku(line.item) + ":" + String(qty))
        }
        if reason == "wrong-supplier", shape.suppliers > 1 {
            words += ["--supplier", BenchNames.supplier((order.supplier + 1) % shape.suppliers)]
        }
        if index % 7 == 3 { words += ["--settlement", "25.00"] }
        words += ["--as", BenchNames.buyer(order.buyer)]
        return words.joined(separator: " ")
    }
}
