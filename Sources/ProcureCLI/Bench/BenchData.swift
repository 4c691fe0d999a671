import Foundation

/// The size and seed of a benchmark data set.
struct BenchShape: Sendable {
    var orders: Int
    var linesPerOrder: Int
    var buyers: Int
    var suppliers: Int
    var items: Int
    var seed: UInt64
}

/// SplitMix64: small, fast and the same on every platform, so a seed names one data set.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator for one entity: the same (seed, stream, index) always gives the same values,
    /// whatever else was generated before, so nothing has to be kept in memory.
    init(seed: UInt64, stream: UInt64, index: Int) {
        var mixer = BenchRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        _ = mixer.next()
        state = mixer.next() ^ UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }
}

/// Names of the generated entities.
enum BenchNames {
    static func supplier(_ index: Int) -> String { "S" + pad(index + 1, 2) }
    static func sku(_ index: Int) -> String { "I" + pad(index + 1, 5) }
    static func buyer(_ index: Int) -> String { "bench_buyer_" + pad(index + 1, 2) }
    static let finance = "bench_finance"
    static func order(_ prefix: String, _ index: Int) -> String { prefix + "-" + pad(index + 1, 7) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// A price in 1/10,000 units as decimal text with 4 decimals.
    static func price(_ units: Int) -> String {
        "\(units / 10_000)." + pad(units % 10_000, 4)
    }
}

/// What the generator decides for an order (by its index alone).
enum BenchOrderState {
    case draft, issued, acknowledged, inProduction

    /// 30 % in production, 30 % acknowledged, 30 % issued, 10 % left as drafts.
    static func of(_ index: Int) -> BenchOrderState {
        switch index % 10 {
        case 0, 1, 2: return .inProduction
        case 3, 4, 5: return .acknowledged
        case 9: return .draft
        default: return .issued
        }
    }

    var correctable: Bool { self != .draft }
}

struct BenchLine {
    let item: Int
    let qty: Int
    /// Price in 1/10,000 units; nil = the base price.
    let priceUnits: Int?
}

struct BenchOrder {
    let index: Int
    let number: String
    let buyer: Int
    let supplier: Int
    let date: String
    let lines: [BenchLine]
}

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
        var random = BenchRandom(seed: shape.seed, stream: 1, index: supplier * 1_000_003 + item)
        return 100_000 + random.below(50_000) * 100
    }

    func order(_ index: Int, prefix: String = "BX", stream: UInt64 = 2) -> BenchOrder {
        var random = BenchRandom(seed: shape.seed, stream: stream, index: index)
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
