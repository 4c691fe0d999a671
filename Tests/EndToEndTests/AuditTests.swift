import Foundation
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

    /// One audit row per chain and transaction: a correction is two rows (the revoked order's
    /// chain, the replacement's), and an UPDATE's entry holds only the columns it changed.
    func testACorrectionIsTwoAuditRowsAndAnUpdateKeepsOnlyWhatChanged() throws {
        let before = try scalar("SELECT coalesce(max(id), 0) FROM procure.audit_log") ?? "0"
        let run = try batch(["correct PO-1 --reason wrong-quantity --note 'five was wrong' --replace A:3 --as \(buyer)"])
        XCTAssertEqual(run.objects.first?["ok"], .bool(true), run.objects.first?.serialized ?? run.stderr)
        let rows = try sql("SELECT chain, changes::text AS changes FROM procure.audit_log WHERE id > $1 ORDER BY chain",
                           [Int(before)!]).rows
        XCTAssertEqual(rows.map { $0["chain"] ?? "" }, ["order:PO-1", "order:PO-1-R1"])
        let revoked = try JSONParser.parse(try XCTUnwrap(rows.first?["changes"]))
        let tables = (revoked.arrayValue ?? []).map { "\($0["table"]?.text ?? "") \($0["op"]?.text ?? "")" }
        XCTAssertEqual(Set(tables), ["corrections INSERT", "orders UPDATE", "liabilities INSERT"], revoked.serialized)
        let revocation = try XCTUnwrap(revoked.arrayValue?.first { $0["table"]?.text == "orders" && $0["new"]?["status"] != nil })
        XCTAssertEqual(revocation["new"]?["status"]?.text, "revoked")
        XCTAssertEqual(revocation["old"]?["status"]?.text, "issued")
        XCTAssertNil(revocation["new"]?["number"], "an unchanged column is not repeated: \(revocation.serialized)")
        XCTAssertNil(revocation["new"]?["buyer"])
        let replacement = try JSONParser.parse(try XCTUnwrap(rows.last?["changes"]))
        XCTAssertEqual(replacement.arrayValue?.first?["op"]?.text, "INSERT")
        XCTAssertEqual(replacement.arrayValue?.first?["new"]?["number"]?.text, "PO-1-R1")
        XCTAssertTrue(replacement.arrayValue?.contains { $0["table"]?.text == "order_lines" } ?? false, replacement.serialized)
        // The view shows one change a row, and the history the same entries.
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.audit_entries WHERE id > $1", [Int(before)!]),
                       String((revoked.arrayValue?.count ?? 0) + (replacement.arrayValue?.count ?? 0)))
        XCTAssertEqual(try json(["audit", "verify"])["ok"], .bool(true))
    }

    /// Two transactions that begin the same chain (the first prices of a new supplier), the
    /// second committing while the first is inside its commit with the chain's head written:
    /// the second waits for the first, fails as a serialization failure (which every client
    /// reruns) and, run again, continues the chain. Run one after the other, both just commit.
    func testTwoTransactionsBeginningOneChainRunTheSecondAgain() throws {
        _ = try batch(["supplier add S2 --name Second", "supplier add S3 --name Third"])
        let control = try Connection(conninfo)
        // a test-only hold inside the first's commit, after the audit's commit-time write
        try control.execute(script: """
            CREATE TABLE public.hold_commit (n int);
            CREATE FUNCTION public.hold_commit() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $f$;
            CREATE CONSTRAINT TRIGGER hold AFTER INSERT ON public.hold_commit
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.hold_commit();
            """)
        try control.query("SELECT pg_advisory_lock(4242)")
        let first = try Connection(conninfo)
        let second = try Connection(conninfo)
        try first.execute(script: "BEGIN")
        try first.query("SELECT procure.price_set('S2', 'A', 5, '2026-01-01', NULL)")
        try first.query("INSERT INTO public.hold_commit VALUES (1)")
        try second.execute(script: "BEGIN")
        try second.query("SELECT procure.price_set('S2', 'B', 6, '2026-01-01', NULL)")
        let outcomes = CommitOutcomes()
        let group = DispatchGroup()
        nonisolated(unsafe) let firstConnection = first
        nonisolated(unsafe) let secondConnection = second
        DispatchQueue.global().async(group: group) { outcomes.record("first") { try firstConnection.execute(script: "COMMIT") } }
        Thread.sleep(forTimeInterval: 0.5)      // the first holds its new head, uncommitted
        DispatchQueue.global().async(group: group) { outcomes.record("second") { try secondConnection.execute(script: "COMMIT") } }
        Thread.sleep(forTimeInterval: 0.5)      // the second waits on it
        try control.query("SELECT pg_advisory_unlock(4242)")
        group.wait()
        XCTAssertNil(outcomes.error("first"))
        XCTAssertEqual((outcomes.error("second") as? PostgresError)?.code, .serializationFailure,
                       String(describing: outcomes.error("second")))
        _ = try second.transaction { connection in
            try connection.query("SELECT procure.price_set('S2', 'B', 6, '2026-01-01', NULL)")
        }
        XCTAssertEqual(try scalar("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM procure.audit_log WHERE chain = 'prices:S2'"), "1,2")
        // one after the other: the second sees the first's head at its commit and continues
        _ = try first.transaction { try $0.query("SELECT procure.price_set('S3', 'A', 5, '2026-01-01', NULL)") }
        _ = try second.transaction { try $0.query("SELECT procure.price_set('S3', 'B', 6, '2026-01-01', NULL)") }
        XCTAssertEqual(try scalar("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM procure.audit_log WHERE chain = 'prices:S3'"), "1,2")
        XCTAssertEqual(try json(["audit", "verify"])["ok"], .bool(true))
    }
}

/// The errors of commits run on other threads, by name.
private final class CommitOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String: Error] = [:]

    func record(_ name: String, _ body: () throws -> Void) {
        do { try body() } catch { lock.withLock { errors[name] = error } }
    }

    func error(_ name: String) -> Error? {
        lock.withLock { errors[name] }
    }
}
