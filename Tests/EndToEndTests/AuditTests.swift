import Postgres
import TestSupport
import XCTest

/// SPEC §5: the append-only, hash-chained audit log.
final class AuditTests: DatabaseTestCase {
    var buyer = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        buyer = try seedCatalogue()
        _ = try batch([
            "po create S1 --number PO-1 A:5 --as \(buyer)",
            "po price PO-1 1 9 --as \(buyer)",
            "po issue PO-1 --as \(buyer)",
        ])
    }

    func testHistoryShowsEachChangeWithItsActor() throws {
        let history = try json(["history", "PO-1"])
        let rows = try XCTUnwrap(history.arrayValue)
        XCTAssertGreaterThanOrEqual(rows.count, 3, history.serialized)
        XCTAssertTrue(history.serialized.contains(buyer))
        XCTAssertTrue(history.serialized.contains("issued"))
    }

    func testVerifyPassesOnAnUntouchedLog() throws {
        let verified = try json(["audit", "verify"])
        XCTAssertEqual(verified["ok"], .bool(true))
    }

    func testNoRoleCanUpdateOrDeleteAuditRows() throws {
        let connection = try Connection(conninfo)
        XCTAssertThrowsError(try connection.query("UPDATE procure.audit_log SET actor = 'nobody'"))
        XCTAssertThrowsError(try connection.query("DELETE FROM procure.audit_log"))
        XCTAssertThrowsError(try connection.query("TRUNCATE procure.audit_log"))
        try connection.execute(script: "SET ROLE \(buyer)")
        XCTAssertThrowsError(try connection.query("DELETE FROM procure.audit_log"))
    }

    func testARowAlteredByASuperuserIsCaught() throws {
        let connection = try Connection(conninfo)
        let target = try XCTUnwrap(connection.query("SELECT min(id) AS id FROM procure.audit_log WHERE chain LIKE '%PO-1%'").first?["id"])
        // A superuser can get around the guard triggers; the chain still gives it away.
        try connection.execute(script: "SET session_replication_role = replica")
        try connection.query("UPDATE procure.audit_log SET actor = 'someone_else' WHERE id = $1", [Int(target)!])
        try connection.execute(script: "SET session_replication_role = origin")
        let run = try procure(["--format", "json", "audit", "verify"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stdout.contains(target), "names the first bad row \(target): \(run.stdout)")
    }
}
