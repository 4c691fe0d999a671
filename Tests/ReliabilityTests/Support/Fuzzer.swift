import Foundation
import TestSupport

/// A seeded generator of hostile batch input: lines built from every verb's argument
/// templates with valid and hostile values, raw random bytes, invalid UTF-8, NUL bytes, 1 MiB
/// lines, numbers that are huge, negative, exponent-written or carry 30 decimals, dates out of
/// range, empty strings and SQL text. Every generated line is one input line (no newline
/// inside it); `expectsAnswer` tells whether the batch must answer it (blank lines and
/// comments get no answer).
struct Fuzzer {
    struct Line {
        var bytes: [UInt8]
        var expectsAnswer: Bool
        /// A hostile-but-valid text that, if the line succeeds, must be stored verbatim:
        /// (table, column, value).
        var stored: (table: String, column: String, value: String)?
    }

    /// The fixture the fuzzed lines act on (see HostileInputTests.fixture).
    struct Fixture {
        let buyer, otherBuyer, finance, admin, auditor, supplier: String
        let orders = ["FZ-D", "FZ-I", "FZ-A", "FZ-P", "FZ-R", "FZ-G", "FZ-V"]
        var actors: [String] { [buyer, otherBuyer, finance, admin, auditor, supplier] }
    }

    private var random: SeededGenerator
    let fixture: Fixture
    let csvFiles: [String]
    private var serial = 0

    init(seed: UInt64, fixture: Fixture, csvFiles: [String]) {
        random = SeededGenerator(seed: seed)
        self.fixture = fixture
        self.csvFiles = csvFiles
    }

    // MARK: value pools

    static let sqlText = "'); DROP TABLE procure.orders; --"
    static let hostileTexts: [String] = [
        sqlText, "\"; DELETE FROM procure.audit_log; --", "Robert'); DROP TABLE students;--", "' OR '1'='1",
        "$(rm -rf /)", "`id`", "%s%s%n%x", "{{7*7}}", "<script>alert(1)</script>", "\\", "\\\\", "'", "\"",
        "日本語の注文", "Ünïcödé ✓", "😀🔥", "\u{202E}evil\u{202C}", "tab\there", "a\u{0B}b", "\u{FEFF}bom",
        "NULL", "null", "None", "true", "0", "-1", " leading", "trailing ", "#not a comment", "--as",
        String(repeating: "x", count: 10_000), "line1\\nline2",
    ]
    static let numbers: [String] = [
        "1", "10", "9.5", "2.005", "0", "0.0", "-0", "-1", "-0.01", "+5", "1e3", "1E-2", "0x10", "1,5", "1 000",
        "1_000", ".5", "5.", "NaN", "nan", "Infinity", "-Infinity", "inf", "٣", "１２",
        String(repeating: "9", count: 40), "99999999999999999999", "999999999999999.99", "1000000000000000",
        "-" + String(repeating: "9", count: 60), "0.000000000000000000000000000001",
        "1.123456789012345678901234567890", "123456789012345678901234567890.123456789012345678901234567890",
        "1.23456", "12.345", "0.001", "", " ", "abc", "1..2", "--1", "1-",
    ]
    static let dates: [String] = [
        "2026-03-01", "2026-11-27", "0000-01-01", "10000-01-01", "2026-02-30", "2026-02-29", "2024-02-29",
        "2026-13-01", "2026-00-10", "2026-01-32", "-2026-01-01", "2026-1-1", "26-01-01", "2026/01/01",
        "2026-01-01T00:00:00Z", "infinity", "-infinity", "epoch", "today", "1900-01-01", "9999-12-31",
        "4713-01-01 BC", "", " ", "2026-03-01 ",
    ]
    static let times: [String] = [
        "2026-11-27T09:30:00Z", "2026-10-01T00:00:00+08:00", "2026-11-27T09:30:00", "2026-11-27T25:00:00Z",
        "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "now", "infinity",
        "2026-11-27", "", "2026-11-27T09:30:00+99:00", "1970-01-01T00:00:00Z",
    ]
    static let ints: [String] = ["1", "2", "3", "0", "-1", "2147483647", "2147483648", "99999999999999999999", "1.5", "one", "", "0x1"]
    static let reasons = ["wrong-quantity", "wrong-item", "wrong-price", "wrong-supplier", "wrong-date", "duplicate", "other",
                          "WRONG-ITEM", "", "none", sqlText]
    static let stages = ["materials", "production", "finished", "issued", "", "Finished", sqlText]
    static let regimes = ["cost", "schedule", "expectation", "", "COST", sqlText]
    static let schedules = ["acknowledged=5,materials=25,production=50,finished=100", "finished=101", "materials=-1",
                            "bogus=5", "materials", "=", "", "materials=1e400", "production=50,production=60"]
    static let statuses = ["draft", "issued", "revoked", "open", "agreed", "settled", "", sqlText]
    static let reportNames = ["price-compliance", "corrections", "liabilities", "", "bogus", sqlText]

    // MARK: generation

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }

    /// Shell-quotes a word so the tokenizer gives it back unchanged (single quotes; a quote
    /// inside is closed, escaped, reopened).
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private mutating func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            var byte = UInt8.random(in: 0...255, using: &random)
            if byte == 0x0A { byte = 0x0B }
            return byte
        }
    }

    private mutating func text() -> String {
        if chance(0.3) { return "fuzz text \(serial)" }
        if chance(0.1) { return String(decoding: randomBytes(Int.random(in: 1...40, using: &random)), as: UTF8.self) }
        return pick(Self.hostileTexts)
    }
    private mutating func number() -> String { chance(0.35) ? String(Int.random(in: 1...50, using: &random)) : pick(Self.numbers) }
    private mutating func order() -> String { chance(0.8) ? pick(fixture.orders) : (chance(0.5) ? pick(Self.hostileTexts) : "NOPE-\(serial)") }
    private mutating func sku() -> String { chance(0.7) ? pick(["A", "B"]) : pick(["Z", "", "a", "A:B", Self.sqlText, "A B"]) }
    private mutating func code() -> String {
        if chance(0.4) { return "FZS\(serial)" }
        if chance(0.3) { return pick(["S1", "", " ", "S 1", "s1", Self.sqlText, "ÄÖÜ", "x\ty"]) }
        return pick(Self.hostileTexts)
    }
    private mutating func lineSpec() -> String {
        if chance(0.5) { return "\(sku()):\(number())" + (chance(0.5) ? "@\(number())" : "") }
        return pick(["A:1", "A:1@9", "B:2.5@25", "A:0", "A:-1", "A:1@11", "Z:1", ":1", "A:", "A:1@", "A1", "A:1:2",
                     "A:1@9.99999", "A:1e2", "@:@", "A:1@-1", "A:1000000000000000", Self.sqlText])
    }
    private mutating func actor() -> String {
        if chance(0.85) { return pick(fixture.actors) }
        return pick(["", "nobody_\(serial)", "procure_buyer", "pg_read_all_data", "PUBLIC", "none", Self.sqlText, "a b"])
    }
    private mutating func option(_ name: String, _ p: Double, _ value: String) -> String {
        chance(p) ? " --\(name) \(Self.quote(value))" : ""
    }

    /// One line from a verb template; `stored` names what a success must have stored verbatim.
    private mutating func templateLine() -> (String, (String, String, String)?) {
        serial += 1
        var stored: (String, String, String)?
        var line: String
        switch Int.random(in: 0..<27, using: &random) {
        case 0:
            let name = text()
            let supplierCode = code()
            line = "supplier add \(Self.quote(supplierCode)) --name \(Self.quote(name))"
            line += option("currency", 0.3, pick(["CNY", "EUR", "usd", "", "EURO", Self.sqlText]))
            line += option("regime", 0.3, pick(Self.regimes))
            line += option("profit-rate", 0.3, number())
            line += option("schedule", 0.3, pick(Self.schedules))
            line += option("claim-days", 0.3, pick(Self.ints))
            stored = ("suppliers", "name", name)
        case 1:
            let name = text()
            line = "item add \(Self.quote(code())) --name \(Self.quote(name))" + option("uom", 0.3, text())
            stored = ("items", "name", name)
        case 2:
            line = "price set \(Self.quote(pick(["S1", "S1", "", "NOPE"]))) \(Self.quote(sku())) \(Self.quote(number()))"
            line += option("from", 0.6, pick(Self.dates)) + option("to", 0.3, pick(Self.dates))
        case 3: line = "price list \(Self.quote(pick(["S1", "", Self.sqlText])))" + option("on", 0.5, pick(Self.dates))
        case 4:
            line = "user add \(Self.quote(chance(0.5) ? "fzu_\(serial)" : text())) --role \(Self.quote(pick(["buyer", "finance", "admin", "auditor", "root", ""])))"
            line += option("max-order-total", 0.3, number()) + option("max-discount", 0.3, number())
        case 5:
            line = "po create \(Self.quote(pick(["S1", "S1", "NOPE", ""])))"
            line += option("number", 0.5, chance(0.5) ? "FZN-\(serial)" : text())
            line += option("date", 0.5, pick(Self.dates))
            for _ in 0..<Int.random(in: 0...3, using: &random) { line += " " + Self.quote(lineSpec()) }
        case 6: line = "po issue \(Self.quote(order()))"
        case 7: line = "po ack \(Self.quote(order()))"
        case 8: line = "po receive \(Self.quote(order())) \(Self.quote(pick(Self.ints))) \(Self.quote(number()))"
        case 9: line = "po pay \(Self.quote(order())) \(Self.quote(number()))"
        case 10: line = "po price \(Self.quote(order())) \(Self.quote(pick(Self.ints))) \(Self.quote(number()))"
        case 11: line = "po show \(Self.quote(order()))"
        case 12:
            line = "po list" + option("buyer", 0.3, actor()) + option("supplier", 0.3, code())
                + option("status", 0.3, pick(Self.statuses))
        case 13: line = "po close \(Self.quote(order()))"
        case 14: line = "po delete \(Self.quote(order()))"
        case 15: line = "po edits \(Self.quote(order()))"
        case 16: line = "history \(Self.quote(order()))"
        case 17:
            line = "production \(Self.quote(order())) \(Self.quote(pick(Self.ints)))"
            line += option("stage", 0.3, pick(Self.stages)) + option("finished", 0.5, number())
            line += option("in-progress", 0.4, number()) + option("wip-cost", 0.3, number())
            line += option("materials", 0.3, number()) + option("salvage", 0.2, number())
            line += option("cost-to-complete", 0.2, number()) + option("as-of", 0.5, pick(Self.times))
        case 18:
            let note = text()
            line = "correct \(Self.quote(order())) --reason \(Self.quote(pick(Self.reasons))) --note \(Self.quote(note))"
            if chance(0.4) { line += " --replace " + Self.quote(lineSpec()) }
            line += option("supplier", 0.15, pick(["S1", "NOPE", ""])) + option("settlement", 0.3, number())
            if chance(0.3) { line += " --dry-run" } else { stored = ("corrections", "note", note) }
        case 19: line = "liability show \(Self.quote(order()))"
        case 20: line = "liability list" + option("status", 0.4, pick(Self.statuses)) + option("buyer", 0.2, actor())
        case 21: line = "liability agree \(Self.quote(order()))"
        case 22: line = "liability settle \(Self.quote(order()))" + option("ref", 0.8, text())
        case 23:
            let note = text()
            line = "note \(Self.quote(order())) \(Self.quote(note))"
            stored = ("case_notes", "body", note)
        case 24:
            line = "report \(Self.quote(pick(Self.reportNames)))" + option("from", 0.3, pick(Self.dates))
                + option("to", 0.3, pick(Self.dates)) + option("buyer", 0.2, actor()) + option("supplier", 0.2, code())
        case 25: line = "import orders \(Self.quote(pick(csvFiles + ["/nonexistent.csv", "", "/tmp", "/", "/dev/null"])))"
        default: line = pick(["audit verify", "po", "liability", "report", "nonsense verb", "po create --help", "help",
                              "correct", "po show", "--as", "--key", "-h", "price set S1 A 1 --from"])
        }
        if chance(0.75) { line += " --as \(Self.quote(actor()))" }
        if chance(0.35) {
            if chance(0.8) {
                line += " --key fz-\(serial)"
            } else {
                line += " --key \(Self.quote(pick(["", " ", "fz-1", "fz-2", Self.sqlText])))"
                stored = nil   // a reused key answers an earlier result and stores nothing
            }
        }
        if chance(0.02) {
            line += " --help"
            stored = nil
        }
        return (line, stored)
    }

    /// `count` lines: mostly verb templates, some raw bytes and quoting traps, some blank or
    /// comment lines; and `hugeLines` lines of about 1 MiB.
    mutating func lines(count: Int, hugeLines: Int) -> [Line] {
        var result: [Line] = []
        for _ in 0..<count {
            let roll = Double.random(in: 0..<1, using: &random)
            if roll < 0.04 {
                // blank or comment: no answer expected
                let blank = pick(["", "   ", "\t", "# a comment", "   # indented comment", "#"])
                var bytes = Array(blank.utf8)
                if blank.hasPrefix("#") || blank.hasPrefix("   #") { bytes += randomBytes(Int.random(in: 0...30, using: &random)) }
                result.append(Line(bytes: bytes, expectsAnswer: false))
            } else if roll < 0.12 {
                // raw bytes after a word, so the line is never blank
                let head = pick(["Z", "po", "note FZ-R", "supplier add X --name", "correct FZ-I --note"])
                result.append(Line(bytes: Array(head.utf8) + [0x20] + randomBytes(Int.random(in: 1...300, using: &random)),
                                   expectsAnswer: true))
            } else if roll < 0.16 {
                let trap = pick(["note FZ-R \"unterminated", "note FZ-R 'unterminated", "note FZ-R ends with a backslash \\",
                                 "po show \"FZ-D", "supplier add \"\"\"\" --name x", "po show '' ''", "po\u{0} show FZ-D",
                                 "note FZ-R \"a\u{0}b\"", "po show FZ-D\u{0}", "\"\"", "''", "\\", "po show FZ-D \r extra",
                                 "po show \u{00A0}FZ-D", "po show\u{2003}FZ-D"])
                result.append(Line(bytes: Array(trap.utf8), expectsAnswer: true))
            } else if roll < 0.18 {
                // invalid UTF-8 sequences inside otherwise plausible lines
                let bad: [[UInt8]] = [[0xC3], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
                let prefix = pick(["note FZ-R ", "supplier add BAD --name ", "po show ", "item add I --name "])
                result.append(Line(bytes: Array(prefix.utf8) + pick(bad) + Array("x".utf8), expectsAnswer: true))
            } else {
                let (text, stored) = templateLine()
                var bytes = Array(text.utf8)
                if bytes.contains(0x0A) { bytes = bytes.map { $0 == 0x0A ? 0x0B : $0 } }
                result.append(Line(bytes: bytes, expectsAnswer: true,
                                   stored: stored.map { (table: $0.0, column: $0.1, value: $0.2) }))
            }
        }
        let mib = 1 << 20
        let huge: [Line] = [
            Line(bytes: Array("note FZ-R ".utf8) + Array(repeating: UInt8(ascii: "n"), count: mib), expectsAnswer: true),
            Line(bytes: Array("po show ".utf8) + Array(repeating: UInt8(ascii: "x"), count: mib), expectsAnswer: true),
            Line(bytes: Array("price set S1 A ".utf8) + Array(repeating: UInt8(ascii: "9"), count: mib), expectsAnswer: true),
            Line(bytes: Array("Z ".utf8) + randomBytes(mib), expectsAnswer: true),
            Line(bytes: Array("po show \"".utf8) + Array(repeating: UInt8(ascii: "q"), count: mib), expectsAnswer: true),
        ]
        for line in huge.prefix(hugeLines) {
            result.insert(line, at: Int.random(in: 0...result.count, using: &random))
        }
        return result
    }
}
