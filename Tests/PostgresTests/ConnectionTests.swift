import Postgres
import TestSupport
import XCTest

final class ConnectionTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false) }

    func testConnectingToANonexistentServerIsAConnectionError() {
        let error = expectError(PostgresError.self) {
            _ = try Connection("host=/tmp/procure-no-such-socket-folder dbname=x connect_timeout=2")
        }
        XCTAssertEqual(error?.kind, .connection)
        XCTAssertEqual(error?.isConnectionLoss, true)
        XCTAssertFalse(error?.message.isEmpty ?? true)
        XCTAssertNil(error?.sqlState)
    }

    func testConnectingToAMissingDatabaseIsAConnectionError() throws {
        let cluster = try TestCluster.shared()
        let error = expectError(PostgresError.self) {
            _ = try Connection(cluster.conninfo(database: "no_such_database"))
        }
        XCTAssertEqual(error?.kind, .connection)
        XCTAssertTrue(error?.message.contains("no_such_database") ?? false, "\(String(describing: error))")
    }

    func testConnectsAndReportsItsBackend() throws {
        let connection = try Connection(conninfo)
        XCTAssertTrue(connection.isOpen)
        XCTAssertGreaterThan(connection.backendPID, 0)
        XCTAssertEqual(try scalar(connection, "SELECT pg_backend_pid()"), String(connection.backendPID))
        XCTAssertEqual(try scalar(connection, "SHOW server_encoding"), "UTF8")
    }

    func testAClosedConnectionRefusesQueries() throws {
        let connection = try Connection(conninfo)
        connection.close()
        XCTAssertFalse(connection.isOpen)
        let error = expectError(PostgresError.self) { try connection.query("SELECT 1") }
        XCTAssertEqual(error?.kind, .connection)
        connection.close() // closing twice is harmless
    }

    func testATerminatedBackendIsAConnectionLoss() throws {
        let victim = try Connection(conninfo)
        let admin = try Connection(conninfo)
        XCTAssertEqual(try scalar(admin, "SELECT pg_terminate_backend($1)", [victim.backendPID]), "t")
        let error = expectError(PostgresError.self) { try victim.query("SELECT 1") }
        XCTAssertEqual(error?.isConnectionLoss, true, "\(String(reflecting: error))")
        XCTAssertFalse(victim.isOpen)
    }

    func testEmptyStatementAndScripts() throws {
        let connection = try Connection(conninfo)
        XCTAssertEqual(try connection.query("").rows.count, 0)
        try connection.execute(script: "CREATE TEMP TABLE s (n int); INSERT INTO s VALUES (1), (2); INSERT INTO s VALUES (3);")
        let result = try connection.query("SELECT n FROM s ORDER BY n")
        XCTAssertEqual(result.columns, ["n"])
        XCTAssertEqual(result.rows.map { $0["n"] }, ["1", "2", "3"])
        XCTAssertEqual(try connection.query("UPDATE s SET n = n + 1 WHERE n >= 2").affectedRows, 2)
    }
}
