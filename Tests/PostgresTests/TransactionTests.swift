import Postgres
import TestSupport
import XCTest

final class TransactionTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    private struct Abandon: Error {}

    /// A fresh table visible to other sessions (so a second connection can check commits).
    private func makeTable(_ name: String) throws {
        try connection.execute(script: "CREATE TABLE \(name) (id integer PRIMARY KEY, note text)")
    }

    /// Counts rows from a separate session: it sees only what was committed.
    private func committedRows(_ table: String) throws -> Int {
        let observer = try Connection(conninfo)
        return try observer.query("SELECT count(*) AS n FROM \(table)").first!.decode(Int.self, "n")
    }

    func testCommitsWhenTheBodyReturns() throws {
        try makeTable("committed")
        let value = try connection.transaction { connection in
            try connection.query("INSERT INTO committed VALUES (1, 'kept')")
            return "done"
        }
        XCTAssertEqual(value, "done")
        XCTAssertEqual(try committedRows("committed"), 1)
    }

    func testRollsBackWhenTheBodyThrows() throws {
        try makeTable("abandoned")
        XCTAssertNotNil(expectError(Abandon.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO abandoned VALUES (1, 'gone')")
                throw Abandon()
            }
        })
        XCTAssertEqual(try committedRows("abandoned"), 0)
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM abandoned"), "0")
        // Back in autocommit: this insert is visible to others at once.
        try connection.query("INSERT INTO abandoned VALUES (2, 'autocommit')")
        XCTAssertEqual(try committedRows("abandoned"), 1)
    }

    func testRollsBackWhenAStatementFails() throws {
        try makeTable("failed")
        let error = expectError(PostgresError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO failed VALUES (1, 'first')")
                try connection.query("INSERT INTO failed VALUES (1, 'duplicate')")
            }
        }
        XCTAssertEqual(error?.code, .uniqueViolation)
        XCTAssertEqual(try committedRows("failed"), 0)
    }

    func testIsolationLevel() throws {
        let level = try connection.transaction(isolation: .serializable) { connection in
            try scalar(connection, "SHOW transaction_isolation")
        }
        XCTAssertEqual(level, "serializable")
        XCTAssertEqual(try connection.transaction { try scalar($0, "SHOW transaction_isolation") }, "read committed")
    }

    func testRetriesASerializationFailure() throws {
        try makeTable("retried")
        var attempts = 0
        try connection.transaction { connection in
            attempts += 1
            try connection.query("INSERT INTO retried VALUES ($1, 'attempt')", [attempts])
            if attempts == 1 {
                try connection.execute(script: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
            }
        }
        XCTAssertEqual(attempts, 2)
        let ids = try connection.query("SELECT id FROM retried").rows.map { $0["id"] }
        XCTAssertEqual(ids, ["2"], "the first attempt's insert must have been rolled back")
        XCTAssertEqual(try committedRows("retried"), 1)
    }

    func testGivesUpAfterMaxAttempts() throws {
        try makeTable("exhausted")
        var attempts = 0
        let error = expectError(PostgresError.self) {
            try connection.transaction(maxAttempts: 3) { connection in
                attempts += 1
                try connection.query("INSERT INTO exhausted VALUES ($1, 'attempt')", [attempts])
                try connection.execute(script: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
            }
        }
        XCTAssertEqual(attempts, 3)
        XCTAssertEqual(error?.code, .serializationFailure)
        XCTAssertEqual(try committedRows("exhausted"), 0)
    }

    func testOtherErrorsAreNotRetried() throws {
        var attempts = 0
        let error = expectError(PostgresError.self) {
            try connection.transaction { connection in
                attempts += 1
                try connection.query("SELECT 1 / 0")
            }
        }
        XCTAssertEqual(error?.code, .divisionByZero)
        XCTAssertEqual(attempts, 1)
    }

    /// A genuine conflict: another session updates the row between this transaction's snapshot
    /// and its own update, which REPEATABLE READ refuses with 40001.
    func testRetriesARealConcurrentUpdateConflict() throws {
        try makeTable("stock")
        try connection.query("INSERT INTO stock VALUES (1, '10')")
        let other = try Connection(conninfo)
        var attempts = 0
        try connection.transaction(isolation: .repeatableRead) { connection in
            attempts += 1
            let current = try XCTUnwrap(Int(scalar(connection, "SELECT note FROM stock WHERE id = 1") ?? ""))
            if attempts == 1 {
                try other.query("UPDATE stock SET note = '20' WHERE id = 1")
            }
            try connection.query("UPDATE stock SET note = $1 WHERE id = 1", [String(current + 1)])
        }
        XCTAssertEqual(attempts, 2)
        XCTAssertEqual(try scalar(other, "SELECT note FROM stock WHERE id = 1"), "21")
    }

    func testSavepointRollsBackOnlyItsOwnWork() throws {
        try makeTable("lines")
        try connection.transaction { connection in
            try connection.query("INSERT INTO lines VALUES (1, 'before')")
            XCTAssertNotNil(expectError(Abandon.self) {
                try connection.savepoint { connection in
                    try connection.query("INSERT INTO lines VALUES (2, 'inside')")
                    throw Abandon()
                }
            })
            _ = try connection.savepoint { try $0.query("INSERT INTO lines VALUES (3, 'released')") }
            try connection.query("INSERT INTO lines VALUES (4, 'after')")
        }
        let ids = try connection.query("SELECT id FROM lines ORDER BY id").rows.map { $0["id"] }
        XCTAssertEqual(ids, ["1", "3", "4"])
        XCTAssertEqual(try committedRows("lines"), 3)
    }

    func testSavepointRecoversTheTransactionAfterAFailedStatement() throws {
        try makeTable("recovering")
        try connection.transaction { connection in
            try connection.query("INSERT INTO recovering VALUES (1, 'first')")
            let error = expectError(PostgresError.self) {
                _ = try connection.savepoint("line_2") { try $0.query("INSERT INTO recovering VALUES (1, 'duplicate')") }
            }
            XCTAssertEqual(error?.code, .uniqueViolation)
            // Without the savepoint this would fail with 25P02 (transaction aborted).
            try connection.query("INSERT INTO recovering VALUES (2, 'second')")
        }
        XCTAssertEqual(try committedRows("recovering"), 2)
    }
}
