import Foundation
import Postgres
import TestSupport
import XCTest

/// SPEC §6: bad input never crashes the program and never leaves a partial write.
final class HostileInputTests: DatabaseTestCase {
    static let knownCodes: Set<String> = [
        "invalid_argument", "not_found", "already_exists", "price_above_base", "price_below_limit", "no_base_price",
        "order_limit_exceeded", "invalid_state", "already_revoked", "permission_denied", "claim_window_closed",
        "conflict", "database_unavailable",
    ]

    func makeFixture() -> Fuzzer.Fixture {
        let s = TestCluster.uniqueSuffix()
        return Fuzzer.Fixture(buyer: "fzb_\(s)", otherBuyer: "fzo_\(s)", finance: "fzf_\(s)", admin: "fza_\(s)", auditor: "fzx_\(s)",
                              supplier: "fzs_\(s)")
    }

    /// Master data and orders in every state, so fuzzed lines reach real rows.
    func fixtureLines(_ f: Fuzzer.Fixture) -> [String] {
        let a = "--as \(f.buyer)"
        return [
            "supplier add S1 --name 'Acme Metals' --profit-rate 10",
            "item add A --name Bolt",
            "item add B --name Nut",
            "price set S1 A 10 --from 2026-01-01",
            "price set S1 B 25 --from 2026-01-01",
            "user add \(f.buyer) --role buyer --max-discount 20",
            "user add \(f.otherBuyer) --role buyer",
            "user add \(f.finance) --role finance",
            "user add \(f.admin) --role admin",
            "user add \(f.auditor) --role auditor",
            "user add \(f.supplier) --role supplier --supplier S1",
            "po create S1 --number FZ-D --date 2026-03-01 A:10 B:4 \(a)",
            "po create S1 --number FZ-I --date 2026-03-01 A:10 B:4 \(a)", "po issue FZ-I \(a)",
            "po create S1 --number FZ-A --date 2026-03-01 A:10 B:4 \(a)", "po issue FZ-A \(a)", "po ack FZ-A \(a)",
            "po create S1 --number FZ-P --date 2026-03-01 A:10 B:4 \(a)", "po issue FZ-P \(a)",
            "production FZ-P 1 --finished 2 --in-progress 3 --wip-cost 30 \(a)",
            "po create S1 --number FZ-R --date 2026-03-01 A:10 B:4 \(a)", "po issue FZ-R \(a)",
            "correct FZ-R --reason other --note 'first' \(a)",
            "po create S1 --number FZ-G --date 2026-03-01 A:10 B:4 \(a)", "po issue FZ-G \(a)",
            "correct FZ-G --reason duplicate --note 'second' \(a)", "claim submit FZ-G --as \(f.supplier)",
            "liability agree FZ-G --as \(f.finance)",
            "po create S1 --number FZ-V --date 2026-03-01 A:10 \(a)", "po issue FZ-V \(a)", "po receive FZ-V 1 10 \(a)",
        ]
    }

    func writeLines(_ lines: [[UInt8]]) throws -> String {
        var data = Data()
        data.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines {
            data.append(contentsOf: line)
            data.append(0x0A)
        }
        return try TemporaryFolder.file(data)
    }

    // MARK: the fuzzer

    func testFuzzedBatchNeverCrashesNeverHangsAndAFailedLineWritesNothing() throws {
        let fixture = makeFixture()
        try mustSucceed(fixtureLines(fixture))
        let csvs = try brokenCSVs().prefix(6).map { try TemporaryFolder.file($0.contents, suffix: ".csv") }
        defer { csvs.forEach { unlink($0) } }
        let seed: UInt64 = 0x5EED_F022
        var fuzzer = Fuzzer(seed: seed, fixture: fixture, csvFiles: csvs)
        let lines = fuzzer.lines(count: 2_500, hugeLines: 5)
        let path = try writeLines(lines.map(\.bytes))
        defer { unlink(path) }

        let started = Date()
        let process = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: path)
        defer { process.removeFiles() }
        let outcome = process.wait(timeout: 300)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertTrue([.exited(0), .exited(1)].contains(outcome), "the batch ended with \(outcome): \(process.stderr.prefix(2000))")

        // Exactly one JSON object per line that is not blank or a comment, in order.
        let objects = parseJSONLines(process.stdout)
        let expected = lines.indices.filter { lines[$0].expectsAnswer }.map { $0 + 1 }
        let answered = objects.compactMap(\.lineNumber)
        XCTAssertEqual(answered.count, objects.count, "every answer names its line")
        XCTAssertEqual(answered, expected, "answers per line: \(Set(expected).subtracting(answered).sorted().prefix(10)) unanswered, \(Set(answered).subtracting(expected).sorted().prefix(10)) unexpected")
        var codes: [String: Int] = [:]
        var successes = Set<Int>()
        for object in objects {
            guard let line = object.lineNumber else { continue }
            if object.succeeded {
                successes.insert(line)
            } else {
                let code = object.errorCode ?? "(none)"
                codes[code, default: 0] += 1
                XCTAssertTrue(Self.knownCodes.contains(code), "line \(line) answered \(code): \(object.serialized.prefix(600)) for input \(String(decoding: lines[line - 1].bytes.prefix(300), as: UTF8.self))")
            }
        }

        // Hostile but valid strings that a successful line stored come back verbatim.
        var verbatimChecked = 0
        var verbatimSkipped = 0
        let connection = try Connection(conninfo)
        for line in successes.sorted() {
            guard let stored = lines[line - 1].stored else { continue }
            // Invalid UTF-8 is repaired to U+FFFD by design (docs/cli.md): not verbatim.
            if stored.value.contains("\u{FFFD}") { verbatimSkipped += 1; continue }
            XCTAssertFalse(stored.value.contains("\0"), "line \(line): a value with a NUL byte was accepted")
            let found = try connection.query("SELECT count(*) FROM procure.\(stored.table) WHERE \(stored.column) = $1", [stored.value]).first?[0]
            XCTAssertNotEqual(found, "0", "line \(line): \(stored.table).\(stored.column) does not hold \(stored.value.debugDescription.prefix(200))")
            verbatimChecked += 1
        }

        // Failed lines wrote nothing: the successful lines alone, replayed on a fresh database
        // with the same fixture (failed lines blanked, so line numbers stay), give the same state.
        let replayDB = try TestCluster.createMigratedDatabase("relg")
        try mustSucceed(fixtureLines(fixture), db: replayDB)
        let replayPath = try writeLines(lines.indices.map { successes.contains($0 + 1) ? lines[$0].bytes : [] })
        defer { unlink(replayPath) }
        let replay = try SpawnedProcess.procure(["--db", replayDB, "--format", "json"], stdinPath: replayPath)
        defer { replay.removeFiles() }
        let replayOutcome = replay.wait(timeout: 300)
        XCTAssertEqual(replayOutcome, .exited(0), replay.stderr.prefix(1000).description)
        let replayObjects = parseJSONLines(replay.stdout)
        XCTAssertEqual(replayObjects.compactMap(\.lineNumber), successes.sorted())
        let replayFailures = replayObjects.filter { !$0.succeeded }
        XCTAssertTrue(replayFailures.isEmpty, "lines that succeeded in the fuzzed batch fail on their own, so a failed line left something behind: \(replayFailures.prefix(5).map(\.serialized))")

        let options = Snapshot.Options(maskGeneratedNumbers: true, acceptedPriceEditsOnly: true)
        let fuzzed = try Snapshot(conninfo: conninfo, options: options)
        let clean = try Snapshot(conninfo: replayDB, options: options)
        var leftovers = 0
        for (table, (onlyFuzzed, onlyClean)) in fuzzed.differences(from: clean).sorted(by: { $0.key < $1.key }) {
            leftovers += onlyFuzzed.count
            XCTFail("\(table): \(onlyFuzzed.count) row(s) only in the fuzzed database, \(onlyClean.count) only in the replay of its successes; e.g. \(onlyFuzzed.prefix(3).map { $0.prefix(300) }) / \(onlyClean.prefix(3).map { $0.prefix(300) })")
        }
        XCTAssertEqual(fuzzed.auditRows, clean.auditRows, "audit rows")
        let tablesStillThere = try scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'procure'")
        XCTAssertEqual(tablesStillThere, try scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'procure'", db: replayDB))
        let verified = try JSONParser.parse(try procure(["--format", "json", "audit", "verify"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(verified["result"]?["ok"], .bool(true))

        Figures.record("fuzz.seed", String(seed, radix: 16))
        Figures.record("fuzz.lines", lines.count)
        Figures.record("fuzz.lines_of_1MiB", 5)
        Figures.record("fuzz.input_bytes", lines.reduce(0) { $0 + $1.bytes.count + 1 })
        Figures.record("fuzz.answers", objects.count)
        Figures.record("fuzz.blank_or_comment_lines", lines.count - expected.count)
        Figures.record("fuzz.succeeded", successes.count)
        Figures.record("fuzz.failed", objects.count - successes.count)
        Figures.record("fuzz.codes", codes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        Figures.record("fuzz.verbatim_checked", verbatimChecked)
        Figures.record("fuzz.verbatim_skipped_utf8_repaired", verbatimSkipped)
        Figures.record("fuzz.rows_left_by_failed_lines", leftovers)
        Figures.record("fuzz.batch_seconds", String(format: "%.1f", seconds))
    }

    // MARK: verbatim

    func testHostileStringsAreStoredAndShownVerbatim() throws {
        let fixture = makeFixture()
        try mustSucceed(fixtureLines(fixture))
        let hostile = [Fuzzer.sqlText, "Robert'); DROP TABLE students;--", "\"quoted\" and 'single'", "back\\slash \\n not a newline",
                       "日本語 😀 \u{202E}rtl", "%s%n{{7*7}}<b>", "#hash is not a comment", "  spaces  inside  "]
        var lines: [String] = []
        for (index, text) in hostile.enumerated() {
            let q = Fuzzer.quote(text)
            lines.append("supplier add HS\(index) --name \(q)")
            lines.append("item add HI\(index) --name \(q) --uom \(q)")
            lines.append("note FZ-R \(q) --as \(fixture.buyer)")
        }
        // An order number may hold anything but surrounding blanks.
        lines.append("po create S1 --number \(Fuzzer.quote(Fuzzer.sqlText)) --date 2026-03-01 A:1 --as \(fixture.buyer)")
        let run = try batch(lines)
        XCTAssertEqual(run.status, 0, run.objects.filter { !$0.succeeded }.map(\.serialized).joined(separator: "\n"))
        for (index, text) in hostile.enumerated() {
            XCTAssertEqual(run.objects[index * 3]["result"]?["name"]?.text, text, "supplier name shown")
            XCTAssertEqual(run.objects[index * 3 + 1]["result"]?["name"]?.text, text, "item name shown")
            XCTAssertEqual(run.objects[index * 3 + 1]["result"]?["uom"]?.text, text, "item uom shown")
            XCTAssertEqual(run.objects[index * 3 + 2]["result"]?["text"]?.text, text, "note shown")
            XCTAssertEqual(try scalar("SELECT name FROM procure.suppliers WHERE code = $1", ["HS\(index)"]), text)
            XCTAssertEqual(try scalar("SELECT count(*) FROM procure.case_notes WHERE body = $1", [text]), "1")
        }
        let listed = try batch(["price list S1", "liability show FZ-R --as \(fixture.buyer)", "po show \(Fuzzer.quote(Fuzzer.sqlText)) --as \(fixture.buyer)"])
        let notes = listed.objects[1]["result"]?["notes"]?.arrayValue?.compactMap { $0["text"]?.text } ?? []
        XCTAssertEqual(Set(notes), Set(hostile), "liability show lists the notes verbatim")
        XCTAssertEqual(listed.objects[2]["result"]?["number"]?.text, Fuzzer.sqlText)
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.orders WHERE number = $1", [Fuzzer.sqlText]), "1")
        XCTAssertNotNil(try scalar("SELECT to_regclass('procure.orders')::text"), "the table survived its name as data")
        // The CSV output doubles quotes (RFC 4180) and keeps the text.
        let csv = try procure(["--format", "csv", "po", "show", Fuzzer.sqlText, "--as", fixture.buyer])
        XCTAssertTrue(csv.stdout.contains(Fuzzer.sqlText), csv.stdout)
        Figures.record("fuzz.verbatim_strings", hostile.count)
    }

    /// PostgreSQL text cannot hold a NUL byte and libpq would cut a value at it: a line with one
    /// is refused whole (before 6cc68cb, "SN2\0x" was stored as "SN2").
    func testANulByteInAValueIsRefusedNotTruncated() throws {
        let input = Data("supplier add NUL1 --name \"ab".utf8) + Data([0]) + Data("cd\"\nsupplier add \"NUL2".utf8) + Data([0])
            + Data("x\" --name ok\nnote FZ-R a".utf8) + Data([0]) + Data("b\nsupplier add NUL3 --name fine\n".utf8)
        let fixture = makeFixture()
        try mustSucceed(fixtureLines(fixture))
        let path = try TemporaryFolder.file(input)
        defer { unlink(path) }
        let process = try SpawnedProcess.procure(["--db", conninfo, "--format", "json"], stdinPath: path)
        defer { process.removeFiles() }
        XCTAssertEqual(process.wait(timeout: 60), .exited(1))
        let objects = parseJSONLines(process.stdout)
        XCTAssertEqual(objects.map(\.errorCode), ["invalid_argument", "invalid_argument", "invalid_argument", nil], process.stdout)
        XCTAssertEqual(try scalar("SELECT string_agg(code, ',' ORDER BY code) FROM procure.suppliers WHERE code LIKE 'NUL%'"), "NUL3")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.case_notes WHERE body LIKE 'a%'"), "0")
    }

    // MARK: import

    struct CSVCase {
        let name: String
        let contents: Data
    }

    /// CSV files that must be refused as a whole.
    func brokenCSVs() throws -> [CSVCase] {
        let header = "number,supplier,date,sku,qty,price\n"
        func csv(_ name: String, _ text: String) -> CSVCase { CSVCase(name: name, contents: Data(text.utf8)) }
        var cases = [
            CSVCase(name: "empty file (no header)", contents: Data()),
            csv("wrong header", "num,supplier,date,sku,qty,price\nC1,S1,2026-03-01,A,1,\n"),
            csv("columns reordered", "supplier,number,date,sku,qty,price\nS1,C1,2026-03-01,A,1,\n"),
            csv("missing column", "number,supplier,date,sku,qty\nC1,S1,2026-03-01,A,1\n"),
            csv("extra field in a row", header + "C1,S1,2026-03-01,A,1,,extra\n"),
            csv("too few fields in a row", header + "C1,S1,2026-03-01,A\n"),
            csv("unterminated quote", header + "\"C1,S1,2026-03-01,A,1,\n"),
            csv("quote inside a field", header + "C\"1,S1,2026-03-01,A,1,\n"),
            // a UTF-8 byte order mark (Excel's "CSV UTF-8") is accepted: ImportTests imports one
            csv("byte order mark inside the header", header.replacingOccurrences(of: "sku", with: "s\u{FEFF}ku") + "C1,S1,2026-03-01,A,1,\n"),
            csv("huge order number", header + String(repeating: "N", count: 1 << 20) + ",S1,2026-03-01,A,1,\n"),
            csv("huge quantity", header + "C1,S1,2026-03-01,A," + String(repeating: "9", count: 1 << 20) + ",\n"),
            csv("huge quoted field", header + "C1,S1,2026-03-01,\"" + String(repeating: "A,", count: 1 << 19) + "\",1,\n"),
            csv("not a number", header + "C1,S1,2026-03-01,A,abc,\n"),
            csv("negative quantity", header + "C1,S1,2026-03-01,A,-1,\n"),
            csv("30 decimals", header + "C1,S1,2026-03-01,A,1.000000000000000000000000000001,\n"),
            csv("price with 5 decimals", header + "C1,S1,2026-03-01,A,1,9.99999\n"),
            csv("price above base", header + "C1,S1,2026-03-01,A,1,10.0001\n"),
            csv("no such date", header + "C1,S1,2026-02-30,A,1,\n"),
            csv("year 0", header + "C1,S1,0000-01-01,A,1,\n"),
            csv("no such supplier", header + "C1,NOPE,2026-03-01,A,1,\n"),
            csv("no such item", header + "C1,S1,2026-03-01,ZZZ,1,\n"),
            csv("one order, two suppliers", header + "C1,S1,2026-03-01,A,1,\nC1,S2,2026-03-01,B,1,\n"),
            csv("existing order number", header + "FZ-D,S1,2026-03-01,A,1,\n"),
            csv("blank order number", header + " ,S1,2026-03-01,A,1,\n"),
            csv("SQL in a numeric field", header + "C1,S1,2026-03-01,A,\(Fuzzer.sqlText),\n"),
            CSVCase(name: "invalid UTF-8", contents: Data(header.utf8) + Data([0x43, 0xFF, 0xFE]) + Data(",S1,2026-03-01,A,1,\n".utf8)),
            CSVCase(name: "NUL byte", contents: Data(header.utf8) + Data([0x43, 0x00, 0x31]) + Data(",S1,2026-03-01,A,1,\n".utf8)),
            CSVCase(name: "random bytes", contents: Data(header.utf8) + Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })),
        ]
        // 5,000 good rows, then one bad: all or nothing.
        var big = header
        for n in 1...5_000 { big += "BULK-\(n),S1,2026-03-01,A,\(n % 50 + 1),\n" }
        big += "BULK-LAST,S1,2026-03-01,A,1,99\n"
        cases.append(csv("5,000 good rows and a bad last one", big))
        return cases
    }

    func testBrokenCSVImportsFailAndWriteNothing() throws {
        let fixture = makeFixture()
        try mustSucceed(fixtureLines(fixture))
        let counts = """
            SELECT (SELECT count(*) FROM procure.orders) || '/' || (SELECT count(*) FROM procure.order_lines) || '/'
                   || (SELECT count(*) FROM procure.audit_log) || '/' || (SELECT count(*) FROM procure.idempotency_keys)
            """
        var checked = 0
        for item in try brokenCSVs() {
            let path = try TemporaryFolder.file(item.contents, suffix: ".csv")
            defer { unlink(path) }
            let before = try scalar(counts)
            let started = Date()
            let run = try procure(["--format", "json", "import", "orders", path, "--key", "imp-\(checked)", "--as", fixture.buyer])
            let object = try? JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            XCTAssertEqual(run.status, 1, "\(item.name): exit \(run.status) \(run.stdout.prefix(300)) \(run.stderr.prefix(300))")
            XCTAssertEqual(object?.succeeded, false, "\(item.name) was accepted: \(run.stdout.prefix(300))")
            XCTAssertTrue(Self.knownCodes.contains(object?.errorCode ?? ""), "\(item.name): \(run.stdout.prefix(500))")
            XCTAssertEqual(try scalar(counts), before, "\(item.name) wrote something")
            XCTAssertLessThan(Date().timeIntervalSince(started), 60, "\(item.name) took too long")
            checked += 1
        }
        // A file that is not there, a folder (it crashed procure before 6cc68cb), a device; in a
        // batch, so the line after each must still be answered.
        for path in ["/nonexistent/orders.csv", NSTemporaryDirectory(), "/", "/dev/null"] {
            let before = try scalar(counts)
            let run = try procure(["--format", "json", "import", "orders", path, "--as", fixture.buyer])
            XCTAssertEqual(run.status, 1, "\(path): exit \(run.status) \(run.stdout) \(run.stderr.prefix(300))")
            let inBatch = try batch(["import orders \(Fuzzer.quote(path)) --as \(fixture.buyer)", "po list --as \(fixture.buyer)"])
            XCTAssertEqual(inBatch.objects.map(\.succeeded), [false, true], "\(path): \(inBatch.stderr.prefix(300))")
            XCTAssertEqual(try scalar(counts), before, "\(path) wrote something")
            checked += 1
        }
        // And a good file with hostile but valid values, CRLF line ends and quoted fields.
        let good = "number,supplier,date,sku,qty,price\r\n\"\(Fuzzer.sqlText.replacingOccurrences(of: "\"", with: "\"\""))\",S1,2026-03-01,A,1.5,9.5\r\n\"PO \"\"quoted\"\", with comma\",S1,,B,2,\r\n"
        let path = try TemporaryFolder.file(good, suffix: ".csv")
        defer { unlink(path) }
        let run = try procure(["--format", "json", "import", "orders", path, "--as", fixture.buyer])
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.orders WHERE number IN ($1, $2)", [Fuzzer.sqlText, "PO \"quoted\", with comma"]), "2")
        Figures.record("import.broken_files_refused", checked)
    }
}
