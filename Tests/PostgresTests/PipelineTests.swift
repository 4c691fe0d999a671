import Postgres
import TestSupport
import XCTest

/// `Connection.pipeline` and `transaction(first:)`: several statements in one round trip,
/// with the same results and errors as running them one by one.
final class PipelineTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    func testResultsComeBackInOrderWithParameters() throws {
        let results = try connection.pipeline([
            ("SELECT $1::int + 1 AS n", [41]),
            ("SELECT $1::text AS t", ["it's; DROP TABLE x; --"]),
            ("SELECT 1 AS one WHERE false", []),
        ])
        XCTAssertEqual(results.count, 3)
        XCTAssertEqual(results[0].first?["n"], "42")
        XCTAssertEqual(results[1].first?["t"], "it's; DROP TABLE x; --")
        XCTAssertEqual(results[2].rows.count, 0)
        // The connection is back to normal (not left in pipeline mode).
        XCTAssertEqual(try scalar(connection, "SELECT 'after'"), "after")
    }

    func testTheFirstErrorIsThrownAndTheRestIsSkipped() throws {
        try connection.execute(script: "CREATE TABLE pipeline_skipped (id integer)")
        let error = expectError(PostgresError.self) {
            try connection.pipeline([
                ("SELECT 1 / $1::int", [0]),
                ("INSERT INTO pipeline_skipped VALUES (1)", []),
            ])
        }
        XCTAssertEqual(error?.code, .divisionByZero)
        XCTAssertEqual(error?.kind, .server)
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM pipeline_skipped"), "0")
    }

    func testTransactionFirstRunsInTheTransaction() throws {
        let role = try connection.transaction(first: ("SELECT set_config('application_name', $1, true)", ["piped"])) { connection in
            try scalar(connection, "SELECT current_setting('application_name')")
        }
        XCTAssertEqual(role, "piped")
        // `true`: local to the transaction, gone after COMMIT.
        XCTAssertNotEqual(try scalar(connection, "SELECT current_setting('application_name')"), "piped")
    }

    func testAFailingFirstStatementRollsBackAndLeavesTheConnectionUsable() throws {
        try connection.execute(script: "CREATE TEMP TABLE piped_writes (n int)")
        // The body's statement travels with BEGIN and the failing first one: it never runs.
        let error = expectError(PostgresError.self) {
            try connection.transaction(first: ("SELECT set_config('role', $1, true)", ["no_such_role_here"])) { connection in
                try connection.query("INSERT INTO piped_writes VALUES (1)")
                XCTFail("the body's statement must fail with the first one")
            }
        }
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM piped_writes"), "0")
        XCTAssertEqual(error?.kind, .server)
        XCTAssertNotNil(error?.sqlState)
        XCTAssertTrue(connection.isOpen)
        XCTAssertEqual(try scalar(connection, "SELECT 'usable'"), "usable")
        // And a transaction afterwards works.
        XCTAssertEqual(try connection.transaction { try scalar($0, "SELECT 'again'") }, "again")
    }

    func testAOneStatementTransactionIsOneRoundTripAndCommits() throws {
        try connection.execute(script: "CREATE TEMP TABLE one_trip (n int)")
        let inserted = try connection.transaction(first: ("SELECT set_config('application_name', $1, true)", ["one"]),
                                                  oneStatement: true) { connection in
            try scalar(connection, "INSERT INTO one_trip VALUES (1) RETURNING current_setting('application_name')")
        }
        XCTAssertEqual(inserted, "one")
        XCTAssertFalse(connection.inTransaction, "the COMMIT went with the statement")
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM one_trip"), "1")
        // A second statement in such a transaction is refused, and nothing of it stays.
        let error = expectError(PostgresError.self) {
            try connection.transaction(oneStatement: true) { connection in
                try connection.query("INSERT INTO one_trip VALUES (2)")
                try connection.query("INSERT INTO one_trip VALUES (3)")
            }
        }
        XCTAssertNotNil(error)
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM one_trip"), "2", "the first statement had committed")
    }

    func testALostServerIsAConnectionError() throws {
        let killer = try Connection(conninfo)
        try killer.query("SELECT pg_terminate_backend($1)", [Int(connection.backendPID)])
        Thread.sleep(forTimeInterval: 0.2)
        let error = expectError(PostgresError.self) {
            try connection.pipeline([("BEGIN", []), ("SELECT 1", [])])
        }
        XCTAssertNotNil(error)
        XCTAssertFalse(connection.isOpen)
    }
}
