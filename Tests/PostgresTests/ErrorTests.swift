import Postgres
import TestSupport
import XCTest

/// Server errors carry the fields callers map to their own codes.
final class ErrorTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try connection.execute(script: """
            CREATE TEMP TABLE item (
                code text CONSTRAINT item_code_unique UNIQUE,
                qty integer CONSTRAINT item_qty_positive CHECK (qty > 0)
            );
            INSERT INTO item VALUES ('A', 1);
            """)
    }

    func testCheckViolationNamesItsConstraint() {
        let error = expectError(PostgresError.self) { try connection.query("INSERT INTO item VALUES ($1, $2)", ["B", 0]) }
        XCTAssertEqual(error?.kind, .server)
        XCTAssertEqual(error?.code, .checkViolation)
        XCTAssertEqual(error?.constraintName, "item_qty_positive")
        XCTAssertEqual(error?.severity, "ERROR")
        XCTAssertEqual(error?.isRetryable, false)
        XCTAssertEqual(error?.isConnectionLoss, false)
        XCTAssertTrue(error?.detail?.contains("Failing row contains") ?? false, "\(String(reflecting: error))")
    }

    func testUniqueViolationNamesItsConstraintAndKey() {
        let error = expectError(PostgresError.self) { try connection.query("INSERT INTO item VALUES ($1, $2)", ["A", 5]) }
        XCTAssertEqual(error?.code, .uniqueViolation)
        XCTAssertEqual(error?.constraintName, "item_code_unique")
        XCTAssertEqual(error?.detail, "Key (code)=(A) already exists.")
        // The short description leaves the detail out; the debug description has it.
        XCTAssertEqual(error.map { String(describing: $0) }, error?.message)
        XCTAssertTrue(error.map { String(reflecting: $0) }?.contains("Key (code)=(A) already exists.") ?? false)
    }

    func testRaiseWithConstraintErrcodeDetailAndHint() {
        let error = expectError(PostgresError.self) {
            try connection.execute(script: """
                DO $$ BEGIN
                    RAISE EXCEPTION 'quantity must be positive'
                        USING CONSTRAINT = 'x', ERRCODE = '23514', DETAIL = 'line 3 has 0', HINT = 'use a positive number';
                END $$
                """)
        }
        XCTAssertEqual(error?.code, .checkViolation)
        XCTAssertEqual(error?.constraintName, "x")
        XCTAssertEqual(error?.message, "quantity must be positive")
        XCTAssertEqual(error?.detail, "line 3 has 0")
        XCTAssertEqual(error?.hint, "use a positive number")
        let debug = error.map { String(reflecting: $0) } ?? ""
        XCTAssertTrue(debug.contains("line 3 has 0") && debug.contains("use a positive number") && debug.contains(PostgresError.Code.checkViolation.raw), debug)
        XCTAssertFalse(error.map { String(describing: $0) }?.contains("line 3 has 0") ?? true)
    }

    func testErrorsRaisedInFunctionsCarryTheirContext() throws {
        try connection.execute(script: """
            CREATE FUNCTION pg_temp.fail() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'inside' USING ERRCODE = 'P0001'; END $$;
            """)
        let error = expectError(PostgresError.self) { try connection.query("SELECT pg_temp.fail()") }
        XCTAssertEqual(error?.code, .raiseException)
        XCTAssertTrue(error?.context?.contains("fail()") ?? false, "\(String(reflecting: error))")
    }

    func testCommonStates() {
        XCTAssertEqual(expectError(PostgresError.self) { try connection.query("SELEC 1") }?.code, .syntaxError)
        XCTAssertEqual(expectError(PostgresError.self) { try connection.query("SELECT 1 / 0") }?.code, .divisionByZero)
        XCTAssertEqual(expectError(PostgresError.self) { try connection.query("SELECT * FROM missing_table") }?.code, .undefinedTable)
        XCTAssertEqual(expectError(PostgresError.self) { try connection.query("SELECT $1::int", ["ten"]) }?.code, .invalidTextRepresentation)
    }

    func testRetryableStates() {
        for state in [PostgresError.Code.serializationFailure, .deadlockDetected] {
            let error = expectError(PostgresError.self) {
                try connection.execute(script: "DO $$ BEGIN RAISE EXCEPTION 'again' USING ERRCODE = '\(state.raw)'; END $$")
            }
            XCTAssertEqual(error?.isRetryable, true, state.raw)
        }
    }

    func testTheConnectionStaysUsableAfterAnError() throws {
        _ = expectError(PostgresError.self) { try connection.query("SELECT 1 / 0") }
        XCTAssertEqual(try scalar(connection, "SELECT count(*) FROM item"), "1")
    }
}
