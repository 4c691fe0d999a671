import Foundation
import Postgres
import TestSupport
import XCTest

/// One cell of the matrix in docs/security.md.
struct MatrixCell: CustomStringConvertible {
    let verb: String
    let column: String
    /// `allowed`, `empty`, `n/a` or an error code.
    let expected: String

    var description: String { "\(verb) × \(column) (expected \(expected))" }
}

/// docs/security.md, parsed: the table under "## The role matrix".
enum RoleMatrix {
    static let columns = ["buyer-own", "buyer-other", "finance", "admin", "auditor", "supplier"]

    static var docURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/security.md").standardizedFileURL
    }

    static func load() throws -> [MatrixCell] {
        let text = try String(contentsOf: docURL, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(where: { $0.hasPrefix("## ") && $0.lowercased().contains("role matrix") }) else {
            throw TestSupportError("docs/security.md has no '## The role matrix' section")
        }
        var header: [String]?
        var cells: [MatrixCell] = []
        for line in lines[(heading + 1)...] {
            if line.hasPrefix("## ") { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else {
                if header != nil && !cells.isEmpty { break }   // the table ended
                continue
            }
            var fields = trimmed.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            fields.removeFirst()
            if fields.last == "" { fields.removeLast() }
            if header == nil {
                header = fields
                guard fields.first == "verb", Array(fields.dropFirst()) == columns else {
                    throw TestSupportError("the matrix header must be | verb | \(columns.joined(separator: " | ")) |, found \(fields)")
                }
                continue
            }
            if fields.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }   // |---|
            guard fields.count == columns.count + 1 else {
                throw TestSupportError("matrix row with \(fields.count) cells: \(line)")
            }
            let verb = fields[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            for (column, raw) in zip(columns, fields.dropFirst()) {
                let value = raw.trimmingCharacters(in: .whitespaces)
                cells.append(MatrixCell(verb: verb, column: column, expected: value))
            }
        }
        guard !cells.isEmpty else { throw TestSupportError("the role matrix in docs/security.md is empty") }
        return cells
    }
}

/// Role names of a matrix test (roles are cluster-wide, so they carry a unique suffix).
struct MatrixActors {
    let alice, bob, finance, admin, auditor, supplier: String
    func actor(for column: String) -> String {
        switch column {
        case "buyer-own": return alice
        case "buyer-other": return bob
        case "finance": return finance
        case "admin": return admin
        case "supplier": return supplier
        default: return auditor
        }
    }
}

enum SQLOutcome: CustomStringConvertible {
    case rows(Int)
    case error(PostgresError.Code?)
    var description: String {
        switch self {
        case .rows(let n): return "\(n) row(s)"
        case .error(let state): return "SQLSTATE \(state?.raw ?? "?")"
        }
    }
}

/// The matrix machinery, shared by RoleMatrixTests and SecurityGapTests.
extension DatabaseTestCase {

    /// Short tag of a column, used in the fixture's order numbers.
    func matrixTag(_ column: String) -> String {
        ["buyer-own": "own", "buyer-other": "oth", "finance": "fin", "admin": "adm", "auditor": "aud",
         "supplier": "sup"][column]!
    }

    /// The fixture: for each column, alice's orders in the states the verbs need.
    /// RD draft (reads), IS draft (issue), PR draft (price), DL draft (delete), AK/RC/PY/PD/CR
    /// issued (ack, receive, pay, production, correct), LS/NT revoked with an open liability
    /// (show, note), AG revoked and claimed (agree), ST revoked and agreed (settle), CL
    /// delivered (close), CS revoked and open (claim), DS revoked and claimed (dispute).
    func buildMatrixFixture() throws -> MatrixActors {
        let s = TestCluster.uniqueSuffix()
        let actors = MatrixActors(alice: "alice_\(s)", bob: "bob_\(s)", finance: "fin_\(s)", admin: "adm_\(s)",
                                  auditor: "aud_\(s)", supplier: "sup_\(s)")
        var lines = [
            "supplier add S1 --name Acme",
            "item add A --name Bolt",
            "item add B --name Nut",
            "price set S1 A 10 --from 2026-01-01",
            "user add \(actors.alice) --role buyer",
            "user add \(actors.bob) --role buyer",
            "user add \(actors.finance) --role finance",
            "user add \(actors.admin) --role admin",
            "user add \(actors.auditor) --role auditor",
            "user add \(actors.supplier) --role supplier --supplier S1",
        ]
        let a = "--as \(actors.alice)"
        for column in RoleMatrix.columns {
            let t = matrixTag(column)
            for kind in ["RD", "IS", "PR", "DL"] {
                lines.append("po create S1 --number \(kind)-\(t) --date 2026-03-01 A:5 \(a)")
            }
            for kind in ["AK", "RC", "PY", "PD", "CR", "LS", "AG", "NT", "ST", "CL", "CS", "DS"] {
                lines.append("po create S1 --number \(kind)-\(t) --date 2026-03-01 A:5 \(a)")
                lines.append("po issue \(kind)-\(t) \(a)")
            }
            lines.append("po price RD-\(t) 1 9.5 \(a)")
            // something produced on AG and ST, so their liabilities are not 0.00 (settled at once)
            lines.append("production AG-\(t) 1 --finished 1 \(a)")
            lines.append("production ST-\(t) 1 --finished 1 \(a)")
            for kind in ["LS", "AG", "NT", "ST", "CS", "DS"] {
                lines.append("correct \(kind)-\(t) --reason other --note 'wrong order' \(a)")
            }
            // the supplier's claim makes AG and ST ready for finance
            for kind in ["AG", "ST", "DS"] {
                lines.append("claim submit \(kind)-\(t) --as \(actors.supplier)")
            }
            lines.append("liability agree ST-\(t) --as \(actors.finance)")
            lines.append("po receive CL-\(t) 1 5 \(a)")
        }
        try mustSucceed(lines)
        return actors
    }

    /// The CLI line of a cell, or nil for `n/a`.
    func matrixCommand(for cell: MatrixCell, actors: MatrixActors) throws -> String? {
        let t = matrixTag(cell.column)
        let u = TestCluster.uniqueSuffix()
        let other = cell.column == "buyer-other" ? " --buyer \(actors.alice)" : ""
        let verb: String
        switch cell.verb {
        case "supplier add": verb = "supplier add SX_\(t) --name X"
        case "item add": verb = "item add IX_\(t) --name X"
        case "price set": verb = "price set S1 A 9 --from 2030-01-01"
        case "price list": verb = "price list S1"
        case "user add": verb = "user add ux_\(t)_\(u) --role buyer"
        case "po create": verb = "po create S1 A:1"
        case "import orders":
            let csv = try TemporaryFolder.file("number,supplier,date,sku,qty,price\nIMP-\(t),S1,2026-03-01,A,2,\n", suffix: ".csv")
            addTeardownBlock { unlink(csv) }
            verb = "import orders \(csv)"
        case "po issue": verb = "po issue IS-\(t)"
        case "po ack": verb = "po ack AK-\(t)"
        case "po receive": verb = "po receive RC-\(t) 1 1"
        case "po price": verb = "po price PR-\(t) 1 9"
        case "po close": verb = "po close CL-\(t)"
        case "po delete": verb = "po delete DL-\(t)"
        case "production": verb = "production PD-\(t) 1 --finished 1"
        case "correct": verb = "correct CR-\(t) --reason other --note x"
        case "po pay": verb = "po pay PY-\(t) 10"
        case "po show": verb = "po show RD-\(t)"
        case "po edits": verb = "po edits RD-\(t)"
        case "po document": verb = "po document RD-\(t)"
        case "notice": verb = "notice LS-\(t) --lang zh"
        case "setting set": verb = "setting set company.contact 'desk \(t)'"
        case "setting list": verb = "setting list"
        case "history": verb = "history RD-\(t)"
        case "po list": verb = "po list" + other
        case "liability show": verb = "liability show LS-\(t)"
        case "liability list": verb = "liability list" + other
        case "liability agree": verb = "liability agree AG-\(t)"
        case "liability settle": verb = "liability settle ST-\(t) --ref X"
        case "note": verb = "note NT-\(t) hello"
        case "claim submit": verb = "claim submit CS-\(t)"
        case "liability dispute": verb = "liability dispute DS-\(t) --note x"
        case "case list": verb = "case list" + other
        case "report price-compliance", "report corrections", "report liabilities": verb = cell.verb + other
        case "audit verify": verb = "audit verify"
        default: throw TestSupportError("the role matrix names a verb the test does not know: \(cell.verb)")
        }
        if cell.expected == "n/a" { return nil }
        return "\(verb) --as \(actors.actor(for: cell.column))"
    }

    /// Checks the CLI answer of a cell; returns whether it matched.
    func checkMatrixCell(_ cell: MatrixCell, _ object: JSONValue?, command: String, record: Bool = true) -> Bool {
        guard let object else {
            if record { XCTFail("\(cell): no answer for `\(command)`") }
            return false
        }
        let matched: Bool
        switch cell.expected {
        case "allowed":
            matched = object.succeeded
        case "empty":
            let rows = object["result"]?.arrayValue?.filter {
                !["TOTAL"].contains($0["buyer"]?.text ?? $0["supplier"]?.text ?? "")
            }
            matched = object.succeeded && rows?.isEmpty == true
        default:
            matched = !object.succeeded && object.errorCode == cell.expected
        }
        if record && !matched {
            XCTFail("\(cell): `\(command)` answered \(object.serialized.prefix(400))")
        }
        return matched
    }

    // MARK: raw SQL

    /// The raw SQL a write verb amounts to, with its parameters, for `column`'s orders; nil for
    /// read verbs.
    func matrixSQL(for cell: MatrixCell, actors: MatrixActors, admin: Connection) throws -> (String, [any PostgresEncodable])? {
        let t = matrixTag(cell.column)
        func order(_ kind: String) throws -> (Int, Int) {
            let row = try XCTUnwrap(admin.query("SELECT supplier_id, id FROM procure.orders WHERE number = $1", ["\(kind)-\(t)"]).first)
            return (Int(row["supplier_id"]!)!, Int(row["id"]!)!)
        }
        let supplier = Int(try XCTUnwrap(admin.query("SELECT id FROM procure.suppliers WHERE code = 'S1'").first?["id"]))!
        let item = Int(try XCTUnwrap(admin.query("SELECT id FROM procure.items WHERE sku = 'B'").first?["id"]))!
        let status = "UPDATE procure.orders SET status = $1 WHERE number = $2"
        switch cell.verb {
        case "supplier add":
            return ("INSERT INTO procure.suppliers (code, name) VALUES ($1, 'x')", ["SQ_\(t)"])
        case "item add":
            return ("INSERT INTO procure.items (sku, name) VALUES ($1, 'x')", ["IQ_\(t)"])
        case "price set":
            return ("INSERT INTO procure.price_periods (supplier_id, item_id, price, valid) VALUES ($1, $2, 1, daterange('2040-01-01', '2040-02-01'))",
                    [supplier, item])
        case "setting set":
            return ("INSERT INTO procure.settings (key, value) VALUES ('company.contact', $1) "
                    + "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", ["desk \(t)"])
        case "user add":
            // a buyer's own limits are the sharpest case
            return ("UPDATE procure.users SET max_discount = 50 WHERE name = $1", [actors.alice])
        case "po create", "import orders":
            // in alice's name: her own order for buyer-own, an order in another buyer's name for bob
            return ("INSERT INTO procure.orders (supplier_id, number, buyer) VALUES ($1, $2, $3)",
                    [supplier, "SQL-\(t)", actors.alice])
        case "po issue": return (status, ["issued", "IS-\(t)"])
        case "po ack": return (status, ["acknowledged", "AK-\(t)"])
        case "po close": return (status, ["closed", "CL-\(t)"])
        case "po delete": return ("DELETE FROM procure.orders WHERE number = $1", ["DL-\(t)"])
        case "po receive":
            let (s, o) = try order("RC")
            return ("UPDATE procure.order_lines SET delivered = delivered + 1 WHERE supplier_id = $1 AND order_id = $2", [s, o])
        case "po price":
            let (s, o) = try order("PR")
            return ("UPDATE procure.order_lines SET price = 9 WHERE supplier_id = $1 AND order_id = $2", [s, o])
        case "po pay":
            let (s, o) = try order("PY")
            return ("INSERT INTO procure.payments (supplier_id, order_id, amount) VALUES ($1, $2, 10)", [s, o])
        case "production":
            let (s, o) = try order("PD")
            return ("INSERT INTO procure.production_reports (supplier_id, order_id, line_no, finished) VALUES ($1, $2, 1, 1)", [s, o])
        case "correct":
            let (s, o) = try order("CR")
            return ("INSERT INTO procure.corrections (supplier_id, order_id, reason, note) VALUES ($1, $2, 'other', 'x')", [s, o])
        case "liability agree":
            let (s, o) = try order("AG")
            return ("UPDATE procure.liabilities SET status = 'agreed' WHERE supplier_id = $1 AND order_id = $2", [s, o])
        case "liability settle":
            let (s, o) = try order("ST")
            return ("UPDATE procure.liabilities SET status = 'settled', settle_ref = 'X' WHERE supplier_id = $1 AND order_id = $2", [s, o])
        case "claim submit":
            return ("SELECT procure.claim_submit($1, NULL)", ["CS-\(t)"])
        case "liability dispute":
            return ("SELECT procure.liability_dispute($1, 'x')", ["DS-\(t)"])
        case "note":
            let (s, o) = try order("NT")
            let correction = Int(try XCTUnwrap(admin.query(
                "SELECT id FROM procure.corrections WHERE supplier_id = $1 AND order_id = $2", [s, o]).first?["id"]))!
            return ("INSERT INTO procure.case_notes (supplier_id, correction_id, body) VALUES ($1, $2, 'x')", [s, correction])
        default:
            return nil
        }
    }

    /// Runs `statement` as `role` in a transaction that is rolled back.
    func runAs(_ role: String, _ statement: String, _ parameters: [any PostgresEncodable], on connection: Connection) throws -> SQLOutcome {
        try connection.execute(script: "BEGIN")
        defer { try? connection.execute(script: "ROLLBACK") }
        try connection.execute(script: "SET LOCAL ROLE \(quotedIdentifier(role))")
        do {
            return .rows(try connection.query(statement, parameters).affectedRows)
        } catch let error as PostgresError {
            return .error(error.code)
        }
    }

    func quotedIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func matrixSQLMatches(_ cell: MatrixCell, _ outcome: SQLOutcome) -> Bool {
        switch (cell.expected, outcome) {
        case ("allowed", .rows(let n)): return n > 0
        case ("allowed", .error): return false
        case (_, .rows(let n)): return n == 0
        // another buyer's order: the row is invisible (0 rows) or, inserted under it, not found
        case ("not_found", .error(let state)): return state == .noDataFound
        case (_, .error(let state)): return state == .insufficientPrivilege
        }
    }
}

/// SPEC §9 as a matrix: every verb × every role, through the CLI and through raw SQL, against
/// the table in docs/security.md (which the test reads, so the doc cannot drift from the code).
final class RoleMatrixTests: DatabaseTestCase {
    // MARK: the tests

    func testTheMatrixOfDocsSecurityHoldsThroughTheCLIAndRawSQL() throws {
        let cells = try RoleMatrix.load()
        let verbs = Set(cells.map(\.verb))
        XCTAssertGreaterThanOrEqual(verbs.count, 29, "every verb of docs/cli.md that acts on data")
        let actors = try buildMatrixFixture()

        // Raw SQL first, each statement rolled back, so the CLI then finds the fixture intact.
        let admin = try Connection(conninfo)
        let connection = try Connection(conninfo)
        var sqlChecked = 0
        for cell in cells {
            guard let (statement, parameters) = try matrixSQL(for: cell, actors: actors, admin: admin) else { continue }
            let outcome = try runAs(actors.actor(for: cell.column), statement, parameters, on: connection)
            sqlChecked += 1
            XCTAssertTrue(matrixSQLMatches(cell, outcome), "raw SQL, \(cell): `\(statement)` gave \(outcome)")
        }

        // The CLI: one batch, one line per cell, each with its own --as.
        var commands: [(MatrixCell, String)] = []
        for cell in cells {
            if let command = try matrixCommand(for: cell, actors: actors) { commands.append((cell, command)) }
        }
        let run = try batch(commands.map(\.1))
        XCTAssertEqual(run.objects.count, commands.count, run.stderr)
        let byLine = Dictionary(run.objects.compactMap { o in o.lineNumber.map { ($0, o) } }) { a, _ in a }
        for (index, (cell, command)) in commands.enumerated() {
            _ = checkMatrixCell(cell, byLine[index + 1], command: command)
        }
        // And the writes that were allowed really happened, exactly once.
        XCTAssertEqual(try scalar("SELECT status FROM procure.orders WHERE number = 'IS-own'"), "issued")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.payments p JOIN procure.orders o ON o.supplier_id = p.supplier_id AND o.id = p.order_id WHERE o.number LIKE 'PY-%'"), "1")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.orders WHERE number LIKE 'DL-%'"), "\(RoleMatrix.columns.count - 1)")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.suppliers WHERE code LIKE 'SX_%'"), "1")

        Figures.record("matrix.verbs", verbs.count)
        Figures.record("matrix.cells", cells.count)
        Figures.record("matrix.cli_cells_checked", commands.count)
        Figures.record("matrix.sql_cells_checked", sqlChecked)
    }

    /// Row-level security seen from psql: another buyer's rows are invisible in every
    /// order-side table; auditors write no table at all; nobody writes the audit log.
    func testRawSQLReadsAndTheAuditLogHoldForEveryRole() throws {
        let actors = try buildMatrixFixture()
        let connection = try Connection(conninfo)
        let orderSide = ["orders", "order_lines", "price_edits", "payments", "production_reports",
                         "corrections", "liabilities", "case_notes"]
        try mustSucceed(["po pay PY-own 10 --as \(actors.finance)",
                         "production PD-own 1 --finished 1 --as \(actors.alice)",
                         "note NT-own 'first note' --as \(actors.alice)"])
        var checks = 0
        for table in orderSide {
            let query = "SELECT count(*) FROM procure.\(table)"
            try connection.execute(script: "BEGIN; SET LOCAL ROLE \(quotedIdentifier(actors.bob))")
            XCTAssertEqual(try connection.query(query).first?[0], "0", "\(actors.bob) sees \(table) rows of another buyer")
            try connection.execute(script: "ROLLBACK; BEGIN; SET LOCAL ROLE \(quotedIdentifier(actors.alice))")
            XCTAssertNotEqual(try connection.query(query).first?[0], "0", "alice sees her own \(table) rows")
            try connection.execute(script: "ROLLBACK")
            checks += 2
        }

        let tables = try sql("SELECT tablename FROM pg_tables WHERE schemaname = 'procure' ORDER BY 1").rows.compactMap { $0[0] }
        XCTAssertGreaterThanOrEqual(tables.count, 13)
        for table in tables {
            let columns = try sql("""
                SELECT a.attname FROM pg_attribute a WHERE a.attrelid = ('procure.' || quote_ident($1))::regclass
                   AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1
                """, [table]).first?[0] ?? "id"
            for statement in ["INSERT INTO procure.\(table) DEFAULT VALUES",
                              "UPDATE procure.\(table) SET \(columns) = \(columns)",
                              "DELETE FROM procure.\(table)"] {
                let outcome = try runAs(actors.auditor, statement, [], on: connection)
                guard case .error(let state) = outcome, state == .insufficientPrivilege else {
                    XCTFail("auditor: `\(statement)` gave \(outcome)")
                    continue
                }
                checks += 1
            }
        }
        for role in [actors.alice, actors.finance, actors.admin, actors.auditor] {
            for statement in ["INSERT INTO procure.audit_log (chain, seq, at, actor, changes, hash) VALUES ('x', 1, now(), 'x', '[]', 'x')",
                              "UPDATE procure.audit_log SET actor = 'nobody'",
                              "DELETE FROM procure.audit_log",
                              "TRUNCATE procure.audit_log",
                              "UPDATE procure.audit_heads SET seq = 0"] {
                let outcome = try runAs(role, statement, [], on: connection)
                guard case .error(let state) = outcome, state == .insufficientPrivilege else {
                    XCTFail("\(role): `\(statement)` gave \(outcome)")
                    continue
                }
                checks += 1
            }
        }
        // The superuser (who ran the migrations) is held by the guard triggers too.
        for statement in ["UPDATE procure.audit_log SET actor = 'nobody'", "DELETE FROM procure.audit_log",
                          "TRUNCATE procure.audit_log", "DELETE FROM procure.audit_heads"] {
            try connection.execute(script: "BEGIN")
            XCTAssertThrowsError(try connection.query(statement), statement) { error in
                XCTAssertEqual((error as? PostgresError)?.code, .insufficientPrivilege, statement)
            }
            try connection.execute(script: "ROLLBACK")
            checks += 1
        }
        XCTAssertEqual(try json(["audit", "verify"])["ok"], .bool(true))
        Figures.record("matrix.raw_sql_extra_checks", checks)
    }

    func json(_ arguments: [String]) throws -> JSONValue {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(object.succeeded, "\(arguments): \(run.stdout) \(run.stderr)")
        return object["result"] ?? .null
    }
}
