import Foundation
import Postgres
import TestSupport
import XCTest

/// The security gaps the reliability tests found (docs/security.md, "Gaps found and closed"),
/// each stated as the rule it broke; these tests keep them closed.
final class SecurityGapTests: DatabaseTestCase {
    /// The same role in psql is held to exactly what the CLI allows. The database alone
    /// computes a liability; in psql the buyer must not store a figure of their own choosing,
    /// through an insert or an update, with or without the order's true inputs.
    func testABuyerCannotWriteTheirOwnLiabilityFigure() throws {
        let actors = try buildMatrixFixture()
        let owed = try XCTUnwrap(scalar("SELECT total FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id WHERE o.number = 'LS-own'"))
        let connection = try Connection(conninfo)
        let ownLiability = "FROM procure.orders o WHERE o.supplier_id = li.supplier_id AND o.id = li.order_id AND o.number = 'LS-own'"
        let viaUpdate = try runAs(actors.alice, """
            UPDATE procure.liabilities li SET result = jsonb_set(result, '{total}', '"-99999.00"') \(ownLiability)
            """, [], on: connection)
        XCTAssertTrue({ if case .error(.invalidParameterValue?) = viaUpdate { return true }; return false }(),
                      "UPDATE procure.liabilities let the buyer change the result: \(viaUpdate)")
        // With the order's true inputs, only the figure is wrong: refused all the same.
        let withInputs = try runAs(actors.alice, """
            UPDATE procure.liabilities li SET inputs = li.inputs,
                   result = jsonb_set(procure.liability_compute(li.inputs), '{total}', '"-99999.00"') \(ownLiability)
            """, [], on: connection)
        XCTAssertTrue({ if case .error(.invalidParameterValue?) = withInputs { return true }; return false }(),
                      "UPDATE procure.liabilities took a figure that does not follow from the inputs: \(withInputs)")
        let viaInsert = try runAs(actors.alice, """
            INSERT INTO procure.liabilities (supplier_id, correction_id, result)
            SELECT c.supplier_id, c.id, '{"total":"-99999.00"}'::jsonb
              FROM procure.corrections c JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
             WHERE o.number = 'LS-own'
            """, [], on: connection)
        XCTAssertTrue({ if case .error = viaInsert { return true }; return false }(),
                      "INSERT INTO procure.liabilities let the buyer store a figure: \(viaInsert)")
        // Asking for a recomputation is allowed, and gives the database's figure again.
        let recompute = try runAs(actors.alice, "UPDATE procure.liabilities li SET inputs = NULL, result = NULL \(ownLiability)", [], on: connection)
        XCTAssertFalse({ if case .error = recompute { return true }; return false }(), "recompute: \(recompute)")
        XCTAssertEqual(try scalar("SELECT total FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id WHERE o.number = 'LS-own'"), owed)
    }

    /// SPEC §9: auditors write nothing. `--key` on a read verb, or idempotent_save in psql,
    /// stores a row as the auditor; and keys are global, so that row blocks a buyer's key.
    func testAnAuditorWritesNoIdempotencyKey() throws {
        let actors = try buildMatrixFixture()
        let before = try scalar("SELECT count(*) FROM procure.idempotency_keys")
        _ = try batch(["po show RD-own --key audit-1 --as \(actors.auditor)"])
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.idempotency_keys"), before, "po show --key stored a key as the auditor")
        let connection = try Connection(conninfo)
        let outcome = try runAs(actors.auditor, "SELECT procure.idempotent_save('squat-1', 'create', '{}'::jsonb)", [], on: connection)
        XCTAssertTrue({ if case .error(.insufficientPrivilege?) = outcome { return true }; return false }(), "idempotent_save as auditor: \(outcome)")
        // Another user's key must not block a buyer's own use of the same key.
        _ = try batch(["po show RD-own --key shared-key --as \(actors.finance)"])
        let run = try batch(["po create S1 A:1 --key shared-key --as \(actors.alice)"])
        XCTAssertEqual(run.objects.first?.succeeded, true, "a key used by finance blocks the buyer: \(run.objects.first?.serialized ?? "")")
    }

    /// SPEC §9: admins keep procure's users — not every role of the cluster. procure.user_add
    /// runs as a superuser; it must not adopt an existing role outside procure (one that is a
    /// member of pg_execute_server_program, say), make it LOGIN and give it the admin's password.
    func testAnAdminCannotTakeOverARoleOutsideProcure() throws {
        let actors = try buildMatrixFixture()
        let outsider = "ext_\(TestCluster.uniqueSuffix())"
        _ = try sql("CREATE ROLE \(outsider) NOLOGIN IN ROLE pg_execute_server_program")
        let run = try batch(["user add \(outsider) --role buyer --password chosen-by-admin --as \(actors.admin)"])
        // SPEC v2: `user add` of an existing name is already_exists, whoever owns the role
        XCTAssertEqual(run.objects.first?.errorCode, "already_exists", run.objects.first?.serialized ?? run.stderr)
        XCTAssertEqual(try scalar("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", [outsider]), "false",
                       "the admin made \(outsider) (a member of pg_execute_server_program) a login role with a password of their choosing")
    }

    /// SPEC §4/§5: every price edit is recorded, refused attempts too — also with --key, where
    /// the refusal rolls back the whole keyed transaction.
    func testARefusedKeyedPriceEditIsRecorded() throws {
        let actors = try buildMatrixFixture()
        _ = try batch(["po price PR-own 1 11 --key refused-1 --as \(actors.alice)"])
        let refused = try scalar("""
            SELECT count(*) FROM procure.price_edits e JOIN procure.orders o ON o.supplier_id = e.supplier_id AND o.id = e.order_id
             WHERE o.number = 'PR-own' AND NOT e.accepted
            """)
        XCTAssertEqual(refused, "1", "the refused attempt made with --key was not recorded")
    }

    /// SPEC §4/§5: import orders applies the same checks as po create. The CLI refuses
    /// `--date infinity`, `--date 10000-01-01` and exponent quantities; PostgreSQL's own date
    /// and numeric input would take them.
    func testImportRefusesWhatPoCreateRefuses() throws {
        let actors = try buildMatrixFixture()
        for (name, row) in [("infinity", "IMPINF,S1,infinity,A,1,"), ("year 10000", "IMPY10K,S1,10000-01-01,A,1,"),
                            ("exponent", "IMPEXP,S1,2026-03-01,A,1e2,"), ("loose date", "IMPLAX,S1,2026-3-1,A,1,")] {
            let path = try TemporaryFolder.file("number,supplier,date,sku,qty,price\n\(row)\n", suffix: ".csv")
            defer { unlink(path) }
            let run = try procure(["--format", "json", "import", "orders", path, "--as", actors.alice])
            XCTAssertEqual(run.status, 1, "\(name) was imported: \(run.stdout)")
            XCTAssertTrue(run.stdout.contains("row 2: ") && run.stdout.contains("invalid_argument"), "\(name): \(run.stdout)")
        }
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.orders WHERE number LIKE 'IMP%'"), "0")
    }
}
