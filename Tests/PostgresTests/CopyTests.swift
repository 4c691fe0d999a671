import Postgres
import TestSupport
import XCTest

final class CopyTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    private struct ReadFailure: Error {}

    override func setUpWithError() throws {
        try super.setUpWithError()
        try connection.execute(script: "CREATE TEMP TABLE delivery (id integer PRIMARY KEY, qty integer NOT NULL, note text)")
    }

    func testCopiesTenThousandRows() throws {
        let lines = (1...10_000).lazy.map { "\($0)\t\($0 % 97)\titem \($0) Zürich \\t tab" }
        let copied = try connection.copyIn("COPY delivery (id, qty, note) FROM STDIN", lines: lines)
        XCTAssertEqual(copied, 10_000)
        let row = try XCTUnwrap(connection.query("SELECT count(*) AS n, sum(qty) AS total, sum(id) AS ids FROM delivery").first)
        XCTAssertEqual(try row.decode(Int.self, "n"), 10_000)
        XCTAssertEqual(try row.decode(Int.self, "total"), (1...10_000).reduce(0) { $0 + $1 % 97 })
        XCTAssertEqual(try row.decode(Int.self, "ids"), 50_005_000)
        XCTAssertEqual(try scalar(connection, "SELECT note FROM delivery WHERE id = 4321"), "item 4321 Zürich \t tab")
    }

    func testCopiesCSV() throws {
        let lines = ["1,5,\"comma, and \"\"quotes\"\"\"", "2,6,"]
        try connection.copyIn("COPY delivery (id, qty, note) FROM STDIN (FORMAT csv)", lines: lines)
        let rows = try connection.query("SELECT note FROM delivery ORDER BY id").rows.map { $0["note"] }
        XCTAssertEqual(rows, ["comma, and \"quotes\"", nil])
    }

    func testABadRowRollsBackTheWholeCopyAndNamesItsLine() throws {
        let lines = (1...100).map { $0 == 57 ? "57\tabc\tbad" : "\($0)\t1\tok" }
        let error = expectError(PostgresError.self) {
            try connection.copyIn("COPY delivery (id, qty, note) FROM STDIN", lines: lines)
        }
        XCTAssertEqual(error?.code, .invalidTextRepresentation)
        XCTAssertTrue(error?.context?.contains("line 57") ?? false, "\(String(reflecting: error))")
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM delivery"), "0")
        // The connection is ready for the next statement.
        try connection.copyIn("COPY delivery (id, qty) FROM STDIN", lines: ["1\t1"])
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM delivery"), "1")
    }

    func testAFailingSourceAbortsTheCopy() throws {
        var chunks = 0
        XCTAssertNotNil(expectError(ReadFailure.self) {
            try connection.copyIn("COPY delivery (id, qty) FROM STDIN") {
                chunks += 1
                if chunks == 1 { return Array("1\t1\n2\t2\n".utf8) }
                throw ReadFailure()
            }
        })
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM delivery"), "0")
    }

    func testACopyStatementErrorIsThrownBeforeAnyDataIsRead() throws {
        var asked = false
        let error = expectError(PostgresError.self) {
            try connection.copyIn("COPY no_such_table FROM STDIN") {
                asked = true
                return nil
            }
        }
        XCTAssertEqual(error?.code, .undefinedTable)
        XCTAssertFalse(asked)
    }

    func testCopyInsideATransactionRollsBackWithIt() throws {
        _ = expectError(PostgresError.self) {
            try connection.transaction { connection in
                try connection.copyIn("COPY delivery (id, qty) FROM STDIN", lines: ["1\t1", "2\t2"])
                try connection.query("SELECT 1 / 0")
            }
        }
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM delivery"), "0")
    }
}
