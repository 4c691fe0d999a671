import Foundation
import TestSupport

/// A realistic, seeded batch for the crash-and-replay test: master data, then about 1,500
/// orders going through their lives — created, price-edited, issued, acknowledged, paid,
/// produced, corrected (with replacements, settlements, late reports, agreement, settlement,
/// notes) or received and closed — interleaved as a day's work would be, padded with price-list
/// changes to exactly `totalLines` lines. Every line carries a unique `--key`, and every line
/// succeeds when the batch runs once on a fresh database.
struct ReplayBatch {
    struct Names {
        let buyers: [String]
        let finance: String
        let admin: String
        /// A user of each supplier, who reports production after a revocation and submits the claim.
        var suppliers: [String] { ReplayBatch.suppliers.map { "\(admin)_\($0.lowercased())" } }
    }

    let lines: [String]
    let orders: Int

    static let suppliers = ["S1", "S2", "S3"]
    static let items = (1...12).map { String(format: "I%02d", $0) }

    /// Base price of an item at a supplier (4 decimals at most).
    static func basePrice(supplier: Int, item: Int) -> Decimal {
        Decimal(10 + (item * 7 + supplier * 13) % 40) + Decimal(string: ["0", "0.25", "0.5", "0.1234"][(item + supplier) % 4])!
    }

    static func text(_ value: Decimal, scale: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, scale, .plain)
        return NSDecimalNumber(decimal: rounded).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }

    init(seed: UInt64, orders: Int = 1_500, totalLines: Int = 10_000, names: Names) {
        var random = SeededGenerator(seed: seed)
        var setup: [String] = [
            "supplier add S1 --name 'Acme Metals' --profit-rate 10",
            "supplier add S2 --name 'Schedule & Sons' --regime schedule --schedule 'acknowledged=5,materials=25,production=50,finished=100'",
            "supplier add S3 --name \"O'Brien Expectations\" --regime expectation --claim-days 30",
        ]
        for (index, sku) in Self.items.enumerated() {
            setup.append("item add \(sku) --name 'Item \(index + 1)' --uom \(index % 3 == 0 ? "kg" : "pcs")")
        }
        for (s, supplier) in Self.suppliers.enumerated() {
            for (i, sku) in Self.items.enumerated() {
                setup.append("price set \(supplier) \(sku) \(Self.text(Self.basePrice(supplier: s, item: i), scale: 4)) --from 2026-01-01")
            }
        }
        setup.append("user add \(names.buyers[0]) --role buyer --max-discount 20")
        setup.append("user add \(names.buyers[1]) --role buyer --max-order-total 1000000")
        for buyer in names.buyers.dropFirst(2) { setup.append("user add \(buyer) --role buyer") }
        setup.append("user add \(names.finance) --role finance")
        setup.append("user add \(names.admin) --role admin")
        for (supplier, user) in zip(Self.suppliers, names.suppliers) {
            setup.append("user add \(user) --role supplier --supplier \(supplier)")
        }

        // Each order's own sequence of lines, in the order they must run.
        var sequences: [[String]] = []
        let reasons = ["wrong-quantity", "wrong-item", "wrong-price", "wrong-supplier", "wrong-date", "duplicate", "other"]
        let stages = ["materials", "production", "finished"]
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
        func amount(_ range: ClosedRange<Int>) -> String {
            let cents = Int.random(in: range.lowerBound * 100...range.upperBound * 100, using: &random)
            return Self.text(Decimal(cents) / 100, scale: 2)
        }
        for n in 1...orders {
            let number = String(format: "RP-%05d", n)
            let buyer = names.buyers[Int.random(in: 0..<names.buyers.count, using: &random)]
            let s = Int.random(in: 0..<3, using: &random)
            let supplier = Self.suppliers[s]
            let date = String(format: "2026-%02d-%02d", Int.random(in: 1...10, using: &random), Int.random(in: 1...28, using: &random))
            let lineCount = Int.random(in: 1...3, using: &random)
            var chosen: [Int] = []
            while chosen.count < lineCount {
                let i = Int.random(in: 0..<Self.items.count, using: &random)
                if !chosen.contains(i) { chosen.append(i) }
            }
            var qtys: [Int] = []
            var specs: [String] = []
            var hasHalf = false
            for i in chosen {
                let qty = Int.random(in: 4...100, using: &random)
                qtys.append(qty)
                let half = chance(0.1) ? ".5" : ""
                if !half.isEmpty { hasHalf = true }
                if chance(0.5) {
                    let price = Self.basePrice(supplier: s, item: i) * Decimal(string: "0.95")!
                    specs.append("\(Self.items[i]):\(qty)\(half)@\(Self.text(price, scale: 4))")
                } else {
                    specs.append("\(Self.items[i]):\(qty)\(half)")
                }
            }
            let a = "--as \(buyer)"
            let f = "--as \(names.finance)"
            let sup = "--as \(names.suppliers[s])"
            var seq = ["po create \(supplier) --number \(number) --date \(date) \(specs.joined(separator: " ")) \(a)"]
            let base1 = Self.basePrice(supplier: s, item: chosen[0])
            if chance(0.2) { seq.append("po price \(number) 1 \(Self.text(base1 * Decimal(string: "0.9")!, scale: 4)) \(a)") }
            if chance(0.03) {
                seq.append("po delete \(number) \(a)")
                sequences.append(seq)
                continue
            }
            if chance(0.03) { sequences.append(seq); continue }           // stays a draft
            seq.append("po issue \(number) \(a)")
            if chance(0.75) { seq.append("po ack \(number) \(a)") }
            if chance(0.2) { seq.append("po price \(number) 1 \(Self.text(base1 * Decimal(string: "0.85")!, scale: 4)) \(a)") }
            // payments never add up to more than the order total: the lowest total the
            // order can have (every line at 85 % of base) bounds them
            var lowest = Decimal(0)
            for (index, i) in chosen.enumerated() { lowest += Decimal(qtys[index]) * Self.basePrice(supplier: s, item: i) * Decimal(string: "0.85")! }
            func capped(_ drawn: String, _ share: String) -> String {
                var limit = lowest * Decimal(string: share)!
                var rounded = Decimal()
                NSDecimalRound(&rounded, &limit, 2, .down)
                return Self.text(min(Decimal(string: drawn)!, rounded), scale: 2)
            }
            var paid = false
            if chance(0.6) { seq.append("po pay \(number) \(capped(amount(10...400), "0.5")) \(f)"); paid = true }
            if chance(0.25) { seq.append("po pay \(number) \(capped(amount(1...90), "0.4")) \(f)"); paid = true }
            var produced = false
            if chance(0.5) {
                produced = true
                let q = qtys[0]
                var report = "production \(number) 1"
                if chance(0.5) { report += " --stage \(stages[Int.random(in: 0..<3, using: &random)])" }
                report += " --finished \(Int.random(in: 0...q / 3, using: &random)) --in-progress \(Int.random(in: 0...q / 3, using: &random))"
                report += " --wip-cost \(amount(0...300)) --materials \(amount(0...200))"
                if chance(0.5) { report += " --salvage \(amount(0...50))" }
                if chance(0.5) { report += " --cost-to-complete \(amount(0...400))" }
                seq.append(report + " " + a)          // as of now: after the issue, before the correction
                if qtys.count > 1 && chance(0.4) {
                    seq.append("production \(number) 2 --finished \(Int.random(in: 0...qtys[1] / 2, using: &random)) --materials \(amount(0...80)) \(a)")
                }
            }
            if chance(0.35) {
                var correct = "correct \(number) --reason \(reasons[Int.random(in: 0..<reasons.count, using: &random)])"
                correct += chance(0.1) ? " --note \"Wrong \\\"qty\\\"; see O'Brien's mail\"" : " --note 'needed other goods (\(n))'"
                if chance(0.6) {
                    let i = chosen[0]
                    correct += " --replace \(Self.items[i]):\(Int.random(in: 1...60, using: &random))"
                    if chance(0.2) { correct += " --supplier \(Self.suppliers[(s + 1) % 3])" }
                }
                if chance(0.4) { correct += " --settlement \(amount(0...150))" }
                seq.append(correct + " " + a)
                if produced && chance(0.4) {
                    // after the revocation the supplier reports, as of the revocation
                    seq.append("production \(number) 1 --finished 1 \(sup)")
                }
                if chance(0.3) { seq.append("note \(number) 'called the supplier' \(chance(0.5) ? a : f)") }
                if chance(0.5) {
                    seq.append("claim submit \(number) \(sup)")
                    seq.append("liability agree \(number) \(f)")
                    // a liability of 0.00 (nothing produced, nothing paid) is settled as it is agreed
                    if chance(0.5) && (paid || produced) { seq.append("liability settle \(number) --ref 'BANK-\(n)' \(f)") }
                }
            } else if chance(0.4) {
                let full = !produced && chance(0.6)
                for (index, q) in qtys.enumerated() {
                    let qty = full ? "\(q)" : "\(max(1, q / 4))"
                    seq.append("po receive \(number) \(index + 1) \(qty) \(a)")
                }
                if full && !hasHalf && chance(0.6) {
                    seq.append("po close \(number) \(a)")
                }
            }
            sequences.append(seq)
        }

        // Interleave: at each step, one of the next few open orders moves on.
        var body: [String] = []
        var next = 0
        var active: [(order: Int, step: Int)] = []
        while next < sequences.count || !active.isEmpty {
            while active.count < 25 && next < sequences.count {
                active.append((next, 0))
                next += 1
            }
            let pick = Int.random(in: 0..<active.count, using: &random)
            let (order, step) = active[pick]
            body.append(sequences[order][step])
            if step + 1 < sequences[order].count {
                active[pick] = (order, step + 1)
            } else {
                active.remove(at: pick)
            }
        }

        // Pad with price-list changes (periods starting 40 days from today and later: no order
        // of the batch is dated then, and replacements dated today keep today's base price),
        // spread over the batch in the order they were generated, to reach exactly totalLines.
        var pads: [String] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        let firstDay = Date().addingTimeInterval(40 * 86_400)
        while setup.count + body.count + pads.count < totalLines {
            let s = Int.random(in: 0..<3, using: &random)
            let i = Int.random(in: 0..<Self.items.count, using: &random)
            let day = pads.count
            let from = formatter.string(from: firstDay.addingTimeInterval(Double(day) * 86_400))
            let price = Self.basePrice(supplier: s, item: i) + Decimal(day % 7)
            pads.append("price set \(Self.suppliers[s]) \(Self.items[i]) \(Self.text(price, scale: 4)) --from \(from) --as \(names.admin)")
        }
        let positions = pads.indices.map { _ in Int.random(in: 0...body.count, using: &random) }.sorted()
        var padded: [String] = []
        padded.reserveCapacity(body.count + pads.count)
        var p = 0
        for (index, line) in body.enumerated() {
            while p < pads.count && positions[p] <= index {
                padded.append(pads[p])
                p += 1
            }
            padded.append(line)
        }
        padded.append(contentsOf: pads[p...])
        let all = (setup + padded).prefix(totalLines)
        lines = all.enumerated().map { index, line in "\(line) --key rp-\(index + 1)" }
        self.orders = orders
    }

    /// The batch as the text of a file.
    var text: String { lines.joined(separator: "\n") + "\n" }
}
