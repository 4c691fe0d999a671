import Postgres
import ProcurementStore
import TestSupport
import XCTest

/// Every constraint of the schema reaches the user in words: no constraint name, no
/// `Failing row contains …`, no "violates". The catalogue is compared with the words table,
/// each constraint goes through the mapping the way the server reports it, and a set of real
/// violations is provoked and mapped.
final class ConstraintWordsTests: XCTestCase {
    var conninfo = ""

    override func setUpWithError() throws {
        conninfo = try TestCluster.createMigratedDatabase("words")
    }

    /// name → contype (c check, u unique, p primary key, f foreign key, x exclusion, i unique index);
    /// the audit's constraint trigger is no rule on data and raises its own words.
    func constraints() throws -> [String: String] {
        let rows = try Connection(conninfo).query("""
            SELECT c.conname AS name, c.contype::text AS type
              FROM pg_constraint c
              LEFT JOIN pg_class t ON t.oid = c.conrelid
              LEFT JOIN pg_type d ON d.oid = c.contypid
             WHERE coalesce(t.relnamespace, d.typnamespace) = 'procure'::regnamespace AND c.contype NOT IN ('n', 't')
            UNION
            SELECT i.relname, 'i' FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE i.relnamespace = 'procure'::regnamespace AND x.indisunique
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """)
        var result: [String: String] = [:]
        for row in rows.rows { result[row["name"] ?? ""] = row["type"] ?? "" }
        return result
    }

    func assertInWords(_ error: ProcureError, name: String, file: StaticString = #filePath, line: UInt = #line) {
        for raw in [name, "Failing row", "violates", "constraint", "procure."] {
            XCTAssertFalse(error.message.contains(raw), "\(name): \(error.message) shows \(raw)", file: file, line: line)
        }
    }

    func testEveryConstraintOfTheSchemaHasItsWords() throws {
        let schema = try constraints()
        XCTAssertGreaterThan(schema.count, 60, "the catalogue was read")
        let codes = Set(ErrorCode.allCases.map(\.rawValue))
        let missing = schema.keys.filter { ConstraintWords.table[$0] == nil && !codes.contains($0) }.sorted()
        XCTAssertEqual(missing, [], "constraints without words in ConstraintWords.table")
        let stale = ConstraintWords.table.keys.filter { schema[$0] == nil && !["price_check", "qty_check", "amount_check", "pct_check"].contains($0) }
        XCTAssertEqual(stale.sorted(), [], "words for constraints the schema no longer has")
    }

    func testEveryConstraintAsTheServerReportsItReadsInWords() throws {
        for (name, type) in try constraints() {
            let (state, message): (String, String) = switch type {
            case "c": ("23514", "new row for relation \"t\" violates check constraint \"\(name)\"")
            case "f": ("23503", "insert or update on table \"t\" violates foreign key constraint \"\(name)\"")
            case "x": ("23P01", "conflicting key value violates exclusion constraint \"\(name)\"")
            default: ("23505", "duplicate key value violates unique constraint \"\(name)\"")
            }
            let error = PostgresError(kind: .server, message: message, sqlState: state,
                                      detail: type == "c" ? "Failing row contains (1, x, y)." : "Key (code)=(S1) already exists.",
                                      constraintName: name)
            let mapped = ProcureError(error)
            assertInWords(mapped, name: name)
            XCTAssertEqual(mapped.code, ErrorCode(rawValue: name) ?? ConstraintWords.table[name]?.code, name)
        }
        // a domain check reads the same way
        let domain = PostgresError(kind: .server, message: "value for domain procure.price violates check constraint \"price_check\"",
                                   sqlState: "23514", constraintName: "price_check")
        assertInWords(ProcureError(domain), name: "price_check")
    }

    func testRealViolationsReadInWords() throws {
        let connection = try Connection(conninfo)
        try connection.execute(script: """
            INSERT INTO procure.suppliers (code, name) VALUES ('W1', 'Words');
            INSERT INTO procure.items (sku, name) VALUES ('WA', 'Word');
            INSERT INTO procure.price_periods (supplier_id, item_id, price, valid)
            SELECT s.id, i.id, 5, daterange('2026-01-01', NULL) FROM procure.suppliers s, procure.items i
             WHERE s.code = 'W1' AND i.sku = 'WA';
            """)
        let cases: [(sql: String, code: ErrorCode, says: String)] = [
            ("INSERT INTO procure.suppliers (code, name) VALUES ('W1', 'Again')", .alreadyExists, "supplier W1 already exists"),
            ("INSERT INTO procure.suppliers (code, name) VALUES ('W 2', 'Space')", .invalidArgument, "no spaces"),
            ("INSERT INTO procure.suppliers (code, name, currency) VALUES ('W3', 'C', 'yuan')", .invalidArgument, "3-letter"),
            ("INSERT INTO procure.suppliers (code, name) VALUES ('W4', NULL)", .invalidArgument, "name is required"),
            ("INSERT INTO procure.items (sku, name) VALUES ('WA', 'Again')", .alreadyExists, "item WA already exists"),
            ("INSERT INTO procure.items (sku, name) VALUES ('W:B', 'Colon')", .invalidArgument, "no ':'"),
            ("""
             INSERT INTO procure.price_periods (supplier_id, item_id, price, valid)
             SELECT s.id, i.id, 4, daterange('2026-03-01', '2026-03-05') FROM procure.suppliers s, procure.items i
              WHERE s.code = 'W1' AND i.sku = 'WA'
             """, .invalidArgument, "overlaps another price"),
            ("""
             INSERT INTO procure.price_periods (supplier_id, item_id, price, valid)
             SELECT s.id, i.id, 0, daterange('2020-03-01', '2020-03-05') FROM procure.suppliers s, procure.items i
              WHERE s.code = 'W1' AND i.sku = 'WA'
             """, .invalidArgument, "above zero"),
            ("""
             INSERT INTO procure.price_periods (supplier_id, item_id, price, valid)
             SELECT s.id, i.id, 1.00001, daterange('2020-03-01', '2020-03-05') FROM procure.suppliers s, procure.items i
              WHERE s.code = 'W1' AND i.sku = 'WA'
             """, .invalidArgument, "at most 4 decimals"),
            ("INSERT INTO procure.price_periods (supplier_id, item_id, price, valid) VALUES (999999, 999999, 1, daterange('2020-01-01', NULL))",
             .notFound, "does not exist"),
            ("INSERT INTO procure.users (name, role) VALUES ('w_user', 'boss')", .invalidArgument, "--role is one of"),
        ]
        for item in cases {
            do {
                try connection.query(item.sql)
                XCTFail("no violation: \(item.sql)")
            } catch let error as PostgresError {
                let mapped = ProcureError(error)
                XCTAssertEqual(mapped.code, item.code, "\(item.sql): \(mapped)")
                XCTAssertTrue(mapped.message.contains(item.says), "\(item.sql): \(mapped.message)")
                assertInWords(mapped, name: error.constraintName ?? "")
            }
        }
    }

    func testAPermissionErrorSaysWhoMayDoIt() throws {
        let connection = try Connection(conninfo)
        let buyer = "wbuyer_\(UInt32.random(in: 0...UInt32.max))"
        try connection.execute(script: "CREATE ROLE \(buyer) NOLOGIN IN ROLE procure_buyer; SET ROLE \(buyer)")
        do {
            try connection.query("SELECT procure.po_pay('PO-1', 5)")
            XCTFail("a buyer paid")
        } catch let error as PostgresError {
            let mapped = ProcureError(error)
            XCTAssertEqual(mapped.code, .permissionDenied)
            XCTAssertEqual(mapped.message, "your role may not do this: advance payments are recorded by finance")
        }
        try connection.execute(script: "RESET ROLE; DROP ROLE \(buyer)")
    }
}
