import Postgres
import TestSupport
import XCTest

/// `Connection.sendAhead`: whole one-round-trip transactions sent before their turn give each
/// line what running it at its turn gives — in order, each in its own transaction, a failed
/// one taking nothing else down — and anything that does not match is run at its turn.
final class ReadAheadTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    /// One line: a one-statement transaction, as the CLI's `context.call` runs it.
    private func line(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> String? {
        try connection.transaction(first: ("SELECT set_config('application_name', 'ahead', true)", []), oneStatement: true) { c in
            try c.query(sql, parameters).first?["v"]
        }
    }

    private func captured(_ sql: String, _ parameters: [any PostgresEncodable] = []) -> [Connection.Statement]? {
        connection.capturedTransaction { _ = try? line(sql, parameters) }
    }

    func testLinesSentAheadGetTheirOwnResultsInOrder() throws {
        let before = connection.transactionsAnsweredAhead
        let statements = (1...3).map { ("SELECT $1::int * 10 AS v", [$0] as [any PostgresEncodable]) }
        let transactions = try XCTUnwrap(statements.map { captured($0.0, $0.1) } as? [[Connection.Statement]])
        XCTAssertEqual(transactions.first?.first?.sql.hasPrefix("BEGIN"), true)
        XCTAssertEqual(transactions.first?.last?.sql, "COMMIT")
        try connection.sendAhead(transactions)
        XCTAssertEqual(try statements.map { try line($0.0, $0.1) }, ["10", "20", "30"])
        XCTAssertEqual(connection.transactionsAnsweredAhead - before, 3, "each line read what was sent ahead")
        XCTAssertEqual(try scalar(connection, "SELECT 'usable'"), "usable")
    }

    func testCapturingSendsNothing() throws {
        try connection.execute(script: "CREATE TABLE ahead_untouched (n int)")
        XCTAssertNotNil(captured("INSERT INTO ahead_untouched VALUES (1) RETURNING n AS v"))
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM ahead_untouched"), "0")
        XCTAssertFalse(connection.inTransaction)
    }

    func testAFailedLineTakesNothingElseDown() throws {
        try connection.execute(script: "CREATE TABLE ahead_writes (n int)")
        let statements: [(String, [any PostgresEncodable])] = [
            ("INSERT INTO ahead_writes VALUES ($1) RETURNING n AS v", [1]),
            ("SELECT 1 / $1::int AS v", [0]),
            ("INSERT INTO ahead_writes VALUES ($1) RETURNING n AS v", [3]),
        ]
        let transactions = try XCTUnwrap(statements.map { captured($0.0, $0.1) } as? [[Connection.Statement]])
        try connection.sendAhead(transactions)
        XCTAssertEqual(try line(statements[0].0, statements[0].1), "1")
        let error = expectError(PostgresError.self) { _ = try line(statements[1].0, statements[1].1) }
        XCTAssertEqual(error?.code, .divisionByZero)
        XCTAssertEqual(try line(statements[2].0, statements[2].1), "3", "the line after a failed one runs in a transaction of its own")
        XCTAssertEqual(try scalar(connection, "SELECT string_agg(n::text, ',' ORDER BY n) FROM ahead_writes"), "1,3")
    }

    func testALineThatDiffersIsRunAtItsTurnAndTheRestSettled() throws {
        let before = connection.transactionsAnsweredAhead
        let transactions = try XCTUnwrap([captured("SELECT 1 AS v"), captured("SELECT 2 AS v")] as? [[Connection.Statement]])
        try connection.sendAhead(transactions)
        XCTAssertEqual(try line("SELECT 1 AS v"), "1")
        XCTAssertEqual(try line("SELECT 'other' AS v"), "other")
        XCTAssertEqual(try line("SELECT 2 AS v"), "2")
        XCTAssertEqual(connection.transactionsAnsweredAhead - before, 1)
        XCTAssertEqual(try scalar(connection, "SELECT 'usable'"), "usable")
    }

    func testWhatIsNotOneWholeTransactionIsNotCaptured() throws {
        XCTAssertNil(connection.capturedTransaction { _ = try? connection.query("SELECT 1") })
        XCTAssertNil(connection.capturedTransaction { _ = try? connection.execute(script: "SELECT 1") })
        XCTAssertNil(connection.capturedTransaction {
            _ = try? connection.transaction { c in
                try c.query("SELECT 1")
                try c.query("SELECT 2")
            }
        }, "a transaction of two round trips")
        XCTAssertNil(connection.capturedTransaction {})
        XCTAssertEqual(try scalar(connection, "SELECT 'usable'"), "usable")
    }

    func testSettlingReadsWhatWasNeverAskedFor() throws {
        let transactions = try XCTUnwrap([captured("SELECT 1 AS v"), captured("SELECT 2 AS v")] as? [[Connection.Statement]])
        try connection.sendAhead(transactions)
        try connection.settleReadAhead()
        XCTAssertFalse(connection.inTransaction)
        XCTAssertEqual(try scalar(connection, "SELECT 'settled'"), "settled")
        XCTAssertEqual(try line("SELECT 1 AS v"), "1")
    }
}
