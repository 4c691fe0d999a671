import Foundation
import Postgres
import TestSupport
import XCTest

/// The rules of orders, corrections and liabilities held in psql exactly as through the CLI
/// (docs/security.md, "Rules psql is held to"): each test attempts the break in SQL as the role
/// — committing, so that a check deferred to the commit is tried too — and, where the rule has
/// a verb, through the CLI, and asserts the refusal and that nothing changed.
final class SecurityRuleTests: DatabaseTestCase {
    static let groups = ["procure_buyer", "procure_finance", "procure_admin", "procure_auditor", "procure_supplier"]

    // MARK: helpers

    /// What a statement did as `role`, in a transaction of its own that commits when the
    /// statement succeeded: the error's SQLSTATE, constraint and message, or the rows it touched.
    struct Committed: CustomStringConvertible {
        var rows: Int?
        var state: PostgresError.Code?
        var constraint: String?
        var message = ""
        var refused: Bool { state != nil }
        var description: String {
            rows.map { "\($0) row(s)" } ?? "SQLSTATE \(state?.raw ?? "?") [\(constraint ?? "")] \(message)"
        }
    }

    func commitAs(_ role: String, _ statement: String, _ parameters: [any PostgresEncodable] = [],
                  on connection: Connection) throws -> Committed {
        try connection.execute(script: "BEGIN")
        do {
            try connection.execute(script: "SET LOCAL ROLE \(quotedIdentifier(role))")
            let rows = try connection.query(statement, parameters).affectedRows
            try connection.execute(script: "COMMIT")
            return Committed(rows: rows)
        } catch let error as PostgresError {
            try? connection.execute(script: "ROLLBACK")
            return Committed(state: error.code, constraint: error.constraintName, message: error.message)
        }
    }

    /// The first value of a query run as `role` (rolled back); nil when it failed.
    func readAs(_ role: String, _ query: String, on connection: Connection) throws -> String? {
        try connection.execute(script: "BEGIN")
        defer { try? connection.execute(script: "ROLLBACK") }
        try connection.execute(script: "SET LOCAL ROLE \(quotedIdentifier(role))")
        do {
            return try connection.query(query).first?[0]
        } catch is PostgresError {
            return nil
        }
    }

    /// A digest of every business table and the audit log, read as the superuser: equal
    /// before and after means the attempts in between changed nothing.
    func digest() throws -> String {
        let tables = ["orders", "order_lines", "price_edits", "payments", "production_reports", "corrections",
                      "liabilities", "case_notes", "suppliers", "items", "price_periods", "users", "idempotency_keys",
                      "audit_log", "audit_heads"]
        let union = tables.map { "SELECT '\($0)' || t::text AS x FROM procure.\($0) t" }.joined(separator: " UNION ALL ")
        return try XCTUnwrap(scalar("SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (\(union)) y"))
    }

    func ids(_ number: String) throws -> (supplier: Int, order: Int) {
        let row = try XCTUnwrap(sql("SELECT supplier_id, id FROM procure.orders WHERE number = $1", [number]).first)
        return (Int(row["supplier_id"]!)!, Int(row["id"]!)!)
    }

    func correctionID(_ number: String) throws -> Int {
        Int(try XCTUnwrap(scalar("""
            SELECT c.id FROM procure.corrections c JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
             WHERE o.number = $1
            """, [number])))!
    }

    /// Whether the stored liability of `number` is what the database computes from its facts now.
    func liabilityIsCurrent(_ number: String) throws -> Bool {
        try scalar("""
            SELECT (li.result = procure.liability_compute(procure.liability_inputs_for(o))
                    AND li.inputs = procure.liability_inputs_for(o))::text
              FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id
             WHERE o.number = $1
            """, [number]) == "true"
    }

    func supplierUser(_ actors: MatrixActors) -> String { "sup_" + actors.alice.dropFirst("alice_".count) }

    // MARK: 1. no group role acts

    /// A session that sets its role to a procure group reads no order data and writes nothing;
    /// nor does a role made a member of a group by hand without being a procure user. The CLI's
    /// `--as` names users only: a group or an unknown name is `not_found`.
    func testNoGroupRoleReadsOrWritesAnything() throws {
        let actors = try buildMatrixFixture()
        let rogue = "rogue_\(TestCluster.uniqueSuffix())"
        _ = try sql("CREATE ROLE \(rogue) NOLOGIN IN ROLE procure_buyer, procure_finance, procure_admin, procure_auditor")
        let connection = try Connection(conninfo)
        let before = try digest()
        var attempts = 0

        let reads = ["orders", "order_lines", "price_edits", "payments", "production_reports", "corrections",
                     "liabilities", "case_notes", "audit_log", "audit_heads", "idempotency_keys", "users", "cases",
                     "report_price_compliance", "report_corrections", "report_liabilities"]
        for role in Self.groups + [rogue] {
            for table in reads {
                let count = try readAs(role, "SELECT count(*) FROM procure.\(table)", on: connection)
                XCTAssertTrue(count == nil || count == "0", "\(role) read \(count ?? "?") rows of \(table)")
                attempts += 1
            }
            for call in ["procure.po_show('RD-own')", "procure.history('RD-own')", "procure.liability_show('LS-own')",
                         "procure.audit_verify()", "procure.po_list(NULL, NULL, NULL)", "procure.case_list(NULL, NULL, NULL, true)"] {
                let value = try readAs(role, "SELECT \(call)::text", on: connection)
                XCTAssertTrue(value == nil || value == "[]", "\(role): \(call) answered \(value ?? "")")
                attempts += 1
            }
        }

        let (supplier, order) = try ids("IS-own")
        let ag = try ids("AG-own")
        let writes: [(String, String)] = [
            ("procure_buyer", "INSERT INTO procure.orders (supplier_id) VALUES (\(supplier))"),
            ("procure_buyer", "SELECT procure.po_create('S1', NULL, NULL, NULL, '[{\"sku\":\"A\",\"qty\":\"1\"}]')"),
            ("procure_buyer", "SELECT procure.po_issue('IS-own')"),
            ("procure_buyer", "UPDATE procure.orders SET status = 'issued' WHERE number = 'IS-own'"),
            ("procure_buyer", "INSERT INTO procure.order_lines (supplier_id, order_id, item_id, qty) SELECT \(supplier), \(order), id, 1 FROM procure.items WHERE sku = 'A'"),
            ("procure_buyer", "SELECT procure.idempotent_save('group-key', 'po create', '{}'::jsonb)"),
            ("procure_buyer", "SELECT procure.correct('CR-own', 'other', 'x', NULL, NULL, NULL)"),
            ("procure_finance", "SELECT procure.po_pay('PY-own', 10)"),
            ("procure_finance", "INSERT INTO procure.payments (supplier_id, order_id, amount) VALUES (\(supplier), \(try ids("PY-own").order), 10)"),
            ("procure_finance", "SELECT procure.liability_agree('AG-own')"),
            ("procure_finance", "UPDATE procure.liabilities SET status = 'agreed' WHERE supplier_id = \(ag.supplier) AND order_id = \(ag.order)"),
            ("procure_finance", "SELECT procure.liability_dispute('AG-own', 'x')"),
            ("procure_finance", "SELECT procure.note_add('NT-own', 'x')"),
            ("procure_admin", "SELECT procure.price_set('S1', 'A', 1, '2040-01-01', NULL)"),
            ("procure_admin", "INSERT INTO procure.items (sku, name) VALUES ('GRP', 'x')"),
            ("procure_admin", "SELECT procure.item_add('GRP', 'x', NULL)"),
            ("procure_admin", "SELECT procure.supplier_add('GRP', 'x', NULL, NULL, NULL, NULL, NULL)"),
            ("procure_admin", "UPDATE procure.users SET max_discount = 1"),
            ("procure_admin", "SELECT procure.user_add('grp_\(TestCluster.uniqueSuffix())', 'buyer', NULL, NULL, NULL)"),
            ("procure_supplier", "SELECT procure.po_ack('AK-own')"),
            ("procure_supplier", "SELECT procure.claim_submit('LS-own', NULL)"),
            ("procure_supplier", "SELECT procure.production('PD-own', 1, NULL, 1, 0, NULL, NULL, NULL, NULL, NULL)"),
            ("procure_supplier", "SELECT procure.note_add('NT-own', 'x')"),
        ]
        for (group, statement) in writes {
            for role in [group, rogue] where !(role == rogue && group == "procure_supplier") {
                let outcome = try commitAs(role, statement, on: connection)
                XCTAssertTrue(outcome.refused || outcome.rows == 0, "\(role): `\(statement)` gave \(outcome)")
                attempts += 1
            }
        }

        // Through the CLI: --as names a user, never a group or a role outside procure.
        var lines: [String] = []
        for name in Self.groups + [rogue, "nobody_\(TestCluster.uniqueSuffix())"] {
            lines += ["po list --as \(name)", "po create S1 A:1 --as \(name)", "po show RD-own --as \(name)"]
        }
        let run = try batch(lines)
        XCTAssertEqual(run.objects.count, lines.count, run.stderr)
        for (line, object) in zip(lines, run.objects) {
            XCTAssertEqual(object.errorCode, "not_found", "`\(line)`: \(object.serialized)")
            attempts += 1
        }
        XCTAssertEqual(try digest(), before, "a group role's attempts changed something")
        // The users themselves still act.
        try mustSucceed(["po show RD-own --as \(actors.alice)", "po list --as \(actors.auditor)"])
        Figures.record("rules.group_role_attempts", attempts)
    }

    // MARK: 2. replacements are linked only by correct

    func testReplacementsAreLinkedOnlyByCorrect() throws {
        let actors = try buildMatrixFixture()
        let connection = try Connection(conninfo)
        let (supplier, _) = try ids("LS-own")
        let before = try digest()
        let attempts: [(String, String)] = [
            ("an order claiming to replace a revoked one",
             "INSERT INTO procure.orders (supplier_id, replaces) VALUES (\(supplier), 'LS-own')"),
            ("the same with a number and a date in the past",
             "INSERT INTO procure.orders (supplier_id, number, order_date, replaces) VALUES (\(supplier), 'FAKE-R1', '2026-01-02', 'LS-own')"),
            ("the revoked order pointed at a draft",
             "UPDATE procure.orders SET replaced_by = 'RD-own' WHERE number = 'LS-own'"),
            ("a revision number set by hand",
             "INSERT INTO procure.orders (supplier_id, revision, chain_base) VALUES (\(supplier), 1, 'LS-own')"),
            ("a replacement for an order revoked earlier",
             "SELECT procure.create_replacement('LS-own', NULL, NULL, '[{\"sku\":\"A\",\"qty\":\"5\"}]')"),
        ]
        for (what, statement) in attempts {
            let outcome = try commitAs(actors.alice, statement, on: connection)
            XCTAssertTrue(outcome.refused, "\(what): `\(statement)` gave \(outcome)")
        }
        let theirs = try commitAs(actors.bob, "SELECT procure.create_replacement('CR-own', NULL, NULL, '[{\"sku\":\"A\",\"qty\":\"5\"}]')", on: connection)
        XCTAssertEqual(theirs.state, .noDataFound, "\(theirs)")
        XCTAssertEqual(try digest(), before, "a refused attempt changed something")
        XCTAssertNil(try scalar("SELECT replaced_by FROM procure.orders WHERE number = 'LS-own'"))

        // correct links them, dated today and issued; the replacement is then never deleted,
        // never a draft again, and never re-pointed.
        try mustSucceed(["correct CR-own --reason other --note 'wrong order' --replace A:2 --as \(actors.alice)"])
        let row = try XCTUnwrap(sql("SELECT number, status, order_date = current_date AS today, replaces FROM procure.orders WHERE replaces = 'CR-own'").first)
        XCTAssertEqual(row["status"], "issued")
        XCTAssertEqual(row["today"], "t")
        let replacement = try XCTUnwrap(row["number"])
        XCTAssertEqual(try scalar("SELECT replaced_by FROM procure.orders WHERE number = 'CR-own'"), replacement)
        let after = try digest()
        for statement in ["DELETE FROM procure.orders WHERE number = '\(replacement)'",
                          "UPDATE procure.orders SET status = 'draft' WHERE number = '\(replacement)'",
                          "UPDATE procure.orders SET replaced_by = 'RD-own' WHERE number = 'CR-own'",
                          "SELECT procure.po_delete('\(replacement)')"] {
            let outcome = try commitAs(actors.alice, statement, on: connection)
            XCTAssertTrue(outcome.refused, "`\(statement)` gave \(outcome)")
        }
        let run = try batch(["po delete \(replacement) --as \(actors.alice)"])
        XCTAssertEqual(run.objects.first?.errorCode, "invalid_state", run.objects.first?.serialized ?? run.stderr)
        XCTAssertEqual(try digest(), after)
    }

    /// `correct` and `create_replacement` run past row-level security and ask whose the order is
    /// themselves: before they lock it, as row-level security would. Another buyer's order is not
    /// found at once, even while its own buyer holds it locked; the buyer itself waits its turn.
    func testAnotherBuyersLockedOrderIsNotFoundWithoutWaiting() throws {
        let actors = try buildMatrixFixture()
        let holder = try Connection(conninfo)
        try holder.execute(script: "BEGIN")
        _ = try holder.query("SELECT 1 FROM procure.orders WHERE number = 'CR-own' FOR UPDATE")
        defer { try? holder.execute(script: "ROLLBACK") }
        let connection = try Connection(conninfo)
        // a wait would end in 55P03 instead of the answer
        try connection.execute(script: "SET lock_timeout = '300ms'")
        let before = try digest()
        for statement in ["SELECT procure.correct('CR-own', 'other', 'not mine', NULL, NULL, NULL)",
                          "SELECT procure.correct('CR-own', 'other', 'not mine', '[{\"sku\":\"A\",\"qty\":\"5\"}]', NULL, NULL)",
                          "SELECT procure.create_replacement('CR-own', NULL, NULL, '[{\"sku\":\"A\",\"qty\":\"5\"}]')"] {
            let outcome = try commitAs(actors.bob, statement, on: connection)
            XCTAssertEqual(outcome.state, .noDataFound, "`\(statement)` gave \(outcome)")
            XCTAssertEqual(outcome.message, "order CR-own not found")
        }
        let own = try commitAs(actors.alice, "SELECT procure.correct('CR-own', 'other', 'mine', NULL, NULL, NULL)", on: connection)
        XCTAssertEqual(own.state?.raw, "55P03", "the order's own buyer waits for the lock: \(own)")
        XCTAssertEqual(try digest(), before)
    }

    // MARK: 3. every revocation has its liability, and it is current

    func testARevocationWithoutItsLiabilityIsRefusedAtCommit() throws {
        let actors = try buildMatrixFixture()
        let connection = try Connection(conninfo)
        let (supplier, order) = try ids("CR-own")
        let before = try digest()
        let outcome = try commitAs(actors.alice,
            "INSERT INTO procure.corrections (supplier_id, order_id, reason, note) VALUES (\(supplier), \(order), 'other', 'no liability')",
            on: connection)
        XCTAssertEqual(outcome.constraint, "invalid_state", "\(outcome)")
        XCTAssertTrue(outcome.message.contains("CR-own") && outcome.message.contains("liability"), outcome.message)
        XCTAssertEqual(try scalar("SELECT status FROM procure.orders WHERE number = 'CR-own'"), "issued")
        XCTAssertEqual(try digest(), before)
        // With its liability in the same transaction, a revocation written in psql stands, and
        // its figures are the database's.
        try connection.execute(script: "BEGIN; SET LOCAL ROLE \(quotedIdentifier(actors.alice))")
        let correction = try XCTUnwrap(connection.query(
            "INSERT INTO procure.corrections (supplier_id, order_id, reason, note) VALUES ($1, $2, 'other', 'with liability') RETURNING id",
            [supplier, order]).first?["id"])
        _ = try connection.query("INSERT INTO procure.liabilities (supplier_id, correction_id) VALUES ($1, $2::bigint)", [supplier, correction])
        try connection.execute(script: "COMMIT")
        XCTAssertEqual(try scalar("SELECT status FROM procure.orders WHERE number = 'CR-own'"), "revoked")
        XCTAssertTrue(try liabilityIsCurrent("CR-own"))
    }

    func testTheLiabilityIsAlwaysWhatItsFactsGive() throws {
        let actors = try buildMatrixFixture()
        let supplierUser = supplierUser(actors)
        let connection = try Connection(conninfo)
        let (supplier, order) = try ids("LS-own")
        let open = try XCTUnwrap(scalar("SELECT total FROM procure.liabilities WHERE supplier_id = $1 AND order_id = $2", [supplier, order]))

        // A production report written straight into the table by the supplier: the liability
        // is recomputed at once, not left stale for finance to agree.
        let revoked = "(SELECT revoked_at FROM procure.orders WHERE number = 'LS-own')"
        let report = try commitAs(supplierUser, """
            INSERT INTO procure.production_reports (supplier_id, order_id, line_no, finished, in_progress, wip_cost, as_of)
            VALUES (\(supplier), \(order), 1, 2, 1, 3, \(revoked))
            """, on: connection)
        XCTAssertEqual(report.rows, 1, "\(report)")
        XCTAssertTrue(try liabilityIsCurrent("LS-own"), "the stored figures are stale after a direct report")
        XCTAssertNotEqual(try scalar("SELECT total FROM procure.liabilities WHERE supplier_id = $1 AND order_id = $2", [supplier, order]), open)

        // A later change of the supplier's terms does not touch the case (the terms at the
        // revocation apply), and a recomputation still gives the stored figures.
        XCTAssertEqual(try commitAs(actors.admin, "UPDATE procure.suppliers SET profit_rate = 50, regime = 'expectation' WHERE code = 'S1'",
                                    on: connection).rows, 1)
        XCTAssertEqual(try commitAs(supplierUser, """
            INSERT INTO procure.production_reports (supplier_id, order_id, line_no, finished, in_progress, wip_cost, as_of)
            VALUES (\(supplier), \(order), 1, 3, 1, 3, \(revoked))
            """, on: connection).rows, 1)
        XCTAssertEqual(try scalar("SELECT inputs ->> 'regime' || '/' || (inputs ->> 'profit_rate') FROM procure.liabilities WHERE supplier_id = $1 AND order_id = $2", [supplier, order]), "cost/0")
        XCTAssertTrue(try liabilityIsCurrent("LS-own"))

        // The other inputs cannot change once the order is revoked, whoever tries.
        let stored = try digest()
        let (s, l) = try ids("LS-own")
        for (role, statement) in [(actors.finance, "SELECT procure.po_pay('LS-own', 5)"),
                                  (actors.finance, "INSERT INTO procure.payments (supplier_id, order_id, amount) VALUES (\(s), \(l), 5)"),
                                  (actors.alice, "UPDATE procure.order_lines SET price = 9 WHERE supplier_id = \(s) AND order_id = \(l)"),
                                  (actors.alice, "UPDATE procure.order_lines SET delivered = 1 WHERE supplier_id = \(s) AND order_id = \(l)"),
                                  (actors.alice, "UPDATE procure.liabilities SET inputs = NULL, result = NULL, total = 0 WHERE supplier_id = \(s) AND order_id = \(l)")] {
            let outcome = try commitAs(role, statement, on: connection)
            XCTAssertTrue(outcome.refused, "\(role): `\(statement)` gave \(outcome)")
        }
        XCTAssertEqual(try digest(), stored)

        // Figures changed behind the database's back (a superuser with triggers off) are not
        // agreed: finance is refused, and nothing moves.
        try connection.execute(script: """
            BEGIN; SET LOCAL session_replication_role = replica;
            UPDATE procure.liabilities li SET total = 1, result = jsonb_set(li.result, '{total}', '"1.00"')
              FROM procure.orders o WHERE o.supplier_id = li.supplier_id AND o.id = li.order_id AND o.number = 'AG-own';
            COMMIT
            """)
        let run = try batch(["liability agree AG-own --as \(actors.finance)"])
        XCTAssertEqual(run.objects.first?.errorCode, "invalid_state", run.objects.first?.serialized ?? run.stderr)
        let agree = try commitAs(actors.finance, "SELECT procure.liability_agree('AG-own')", on: connection)
        XCTAssertEqual(agree.constraint, "invalid_state", "\(agree)")
        XCTAssertEqual(try scalar("SELECT li.status FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id WHERE o.number = 'AG-own'"), "claimed")
        // Every other liability of the database is what its facts give.
        XCTAssertEqual(try scalar("""
            SELECT count(*) FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id
             WHERE o.number <> 'AG-own' AND li.result IS DISTINCT FROM procure.liability_compute(procure.liability_inputs_for(o))
            """), "0")
    }

    // MARK: 4. an issued order's total never exceeds the buyer's limit

    func testAPriceEditAfterIssueNeverTakesTheTotalOverTheLimit() throws {
        let s = TestCluster.uniqueSuffix()
        let carol = "carol_\(s)"
        // four lines of 2 × 8.00 = 64.00, limit 70.00: one raise to 10 (+4) fits, two do not
        try mustSucceed([
            "supplier add S1 --name Acme", "item add A --name Bolt", "price set S1 A 10 --from 2026-01-01",
            "user add \(carol) --role buyer --max-order-total 70",
            "po create S1 --number LIM-1 --date 2026-03-01 A:2@8 A:2@8 A:2@8 A:2@8 --as \(carol)",
            "po issue LIM-1 --as \(carol)",
            "po create S1 --number LIM-2 --date 2026-03-01 A:2@8 A:2@8 A:2@8 A:2@8 --as \(carol)",
            "po issue LIM-2 --as \(carol)",
        ])
        // Through the CLI, four clients racing, one line each.
        let conninfo = self.conninfo
        let outcomes = runConcurrently(4) { client in
            let run = try ProcureBinary.run(["--db", conninfo, "--format", "json", "po", "price", "LIM-1", "\(client + 1)", "10", "--as", carol])
            if run.status != 0 { throw TestSupportError(run.stdout) }
        }
        let refused = outcomes.compactMap { $0.map { "\($0)" } }
        XCTAssertEqual(refused.count, 3, "\(refused)")
        XCTAssertTrue(refused.allSatisfy { $0.contains("order_limit_exceeded") }, "\(refused)")
        XCTAssertEqual(try scalar("SELECT procure.order_total(supplier_id, id)::text FROM procure.orders WHERE number = 'LIM-1'"), "68.00")

        // In psql: all lines at once, then four connections racing, each committing.
        let connection = try Connection(conninfo)
        let (supplier, order) = try ids("LIM-2")
        let all = try commitAs(carol, "UPDATE procure.order_lines SET price = 10 WHERE supplier_id = \(supplier) AND order_id = \(order)", on: connection)
        XCTAssertEqual(all.constraint, "order_limit_exceeded", "\(all)")
        let raced = runConcurrently(4) { client in
            let own = try Connection(conninfo)
            try own.execute(script: "BEGIN; SET LOCAL ROLE \"\(carol)\"")
            _ = try own.query("UPDATE procure.order_lines SET price = 10 WHERE supplier_id = $1 AND order_id = $2 AND line_no = $3",
                              [supplier, order, client + 1])
            try own.execute(script: "COMMIT")
        }
        let racedRefusals = raced.compactMap { $0 as? PostgresError }
        XCTAssertEqual(racedRefusals.count, 3, "\(raced)")
        XCTAssertTrue(racedRefusals.allSatisfy { $0.constraintName == "order_limit_exceeded" }, "\(raced)")
        XCTAssertEqual(try scalar("SELECT procure.order_total(supplier_id, id)::text FROM procure.orders WHERE number = 'LIM-2'"), "68.00")
        // Lowering a price is always allowed.
        try mustSucceed(["po price LIM-2 1 7 --as \(carol)"])
    }

    // MARK: 5. po issue checks every line against the price list as it stands

    func testIssueChecksEveryLineAgainstThePriceListOfTheMoment() throws {
        let actors = try buildMatrixFixture()
        try mustSucceed([
            "price set S1 B 20 --from 2026-01-01 --as \(actors.admin)",
            "po create S1 --number CUT-1 --date 2026-03-01 A:1 B:5 --as \(actors.alice)",
            "po create S1 --number CUT-2 --date 2026-03-01 B:5 --as \(actors.alice)",
            // the admin cuts B's base price retroactively, for every date the orders are on
            "price set S1 B 15 --from 2026-01-01 --as \(actors.admin)",
        ])
        let before = try digest()
        let run = try batch(["po issue CUT-1 --as \(actors.alice)"])
        XCTAssertEqual(run.objects.first?.errorCode, "price_above_base", run.objects.first?.serialized ?? run.stderr)
        let connection = try Connection(conninfo)
        let raw = try commitAs(actors.alice, "UPDATE procure.orders SET status = 'issued' WHERE number = 'CUT-2'", on: connection)
        XCTAssertEqual(raw.constraint, "price_above_base", "\(raw)")
        XCTAssertEqual(try digest(), before)
        // priced within the new base, it goes out
        try mustSucceed(["po price CUT-1 2 15 --as \(actors.alice)", "po issue CUT-1 --as \(actors.alice)"])
    }

    // MARK: 8. nothing about an invisible order leaks

    /// Guessing ids of another buyer's (or another supplier's) order in psql answers exactly as
    /// for ids that do not exist: not_found, and a message that says nothing of the order.
    func testGuessedIdsOfAnInvisibleOrderAreNotFoundAndDescribeNothing() throws {
        let actors = try buildMatrixFixture()
        try mustSucceed(["supplier add S2 --name Other", "user add sup2_\(actors.bob) --role supplier --supplier S2"])
        let otherSupplier = "sup2_\(actors.bob)"
        let connection = try Connection(conninfo)
        let nowhere = 987_654_321
        let before = try digest()
        var checks = 0
        for number in ["RD-own", "AK-own", "PD-own"] {
            let (s, o) = try ids(number)
            for (table, columns, values) in [
                ("order_lines", "supplier_id, order_id, item_id, qty, price", "1, 99, 1000"),
                ("production_reports", "supplier_id, order_id, line_no, finished", "1, 1"),
                ("corrections", "supplier_id, order_id, reason, note", "'other', 'x'"),
                ("payments", "supplier_id, order_id, amount", "1"),
            ] {
                let item = try XCTUnwrap(scalar("SELECT id FROM procure.items WHERE sku = 'A'"))
                let rest = table == "order_lines" ? "\(item), 1, 1000" : values
                for role in [actors.bob, otherSupplier] {
                    let guessed = try commitAs(role, "INSERT INTO procure.\(table) (\(columns)) VALUES (\(s), \(o), \(rest))", on: connection)
                    let missing = try commitAs(role, "INSERT INTO procure.\(table) (\(columns)) VALUES (\(s), \(nowhere), \(rest))", on: connection)
                    if guessed.state == .insufficientPrivilege && missing.state == .insufficientPrivilege { continue }  // no grant at all
                    XCTAssertEqual(guessed.state, .noDataFound, "\(role) \(table) of \(number): \(guessed)")
                    XCTAssertEqual(guessed.message, missing.message.replacingOccurrences(of: "\(nowhere)", with: "\(o)"),
                                   "\(role) \(table) of \(number)")
                    for secret in [number, actors.alice, "issued", "draft", "10.0000", "base"] {
                        XCTAssertFalse(guessed.message.contains(secret), "\(role) \(table): \(guessed.message) tells \(secret)")
                    }
                    checks += 1
                }
            }
        }
        for number in ["LS-own", "NT-own"] {
            let (s, _) = try ids(number)
            let correction = try correctionID(number)
            for (table, columns, values) in [("case_notes", "supplier_id, correction_id, body", "'x'"),
                                             ("liabilities", "supplier_id, correction_id", "")] {
                let tail = values.isEmpty ? "" : ", \(values)"
                for role in [actors.bob, otherSupplier] {
                    let guessed = try commitAs(role, "INSERT INTO procure.\(table) (\(columns)) VALUES (\(s), \(correction)\(tail))", on: connection)
                    let missing = try commitAs(role, "INSERT INTO procure.\(table) (\(columns)) VALUES (\(s), \(nowhere)\(tail))", on: connection)
                    if guessed.state == .insufficientPrivilege && missing.state == .insufficientPrivilege { continue }
                    XCTAssertEqual(guessed.state, .noDataFound, "\(role) \(table) of \(number): \(guessed)")
                    XCTAssertEqual(guessed.message, missing.message.replacingOccurrences(of: "\(nowhere)", with: "\(correction)"))
                    checks += 1
                }
            }
        }
        // The functions: another buyer's order answers as one that does not exist.
        for call in ["po_show('%@')", "po_issue('%@')", "po_price('%@', 1, 1)", "history('%@')", "liability_show('%@')",
                     "note_add('%@', 'x')",
                     "production('%@', 1, NULL, 1, 0, NULL, NULL, NULL, NULL, NULL)", "correct('%@', 'other', 'x', NULL, NULL, NULL)"] {
            for number in ["LS-own", "AK-own"] {
                let guessed = try commitAs(actors.bob, "SELECT procure." + call.replacingOccurrences(of: "%@", with: number), on: connection)
                let missing = try commitAs(actors.bob, "SELECT procure." + call.replacingOccurrences(of: "%@", with: "NOPE-1"), on: connection)
                XCTAssertEqual(guessed.state, .noDataFound, "\(call) of \(number): \(guessed)")
                XCTAssertEqual(guessed.message, missing.message.replacingOccurrences(of: "NOPE-1", with: number), call)
                checks += 1
            }
        }
        XCTAssertEqual(try digest(), before)
        Figures.record("rules.invisible_order_probes", checks)
    }

    // MARK: 11. --as anywhere among a line's words

    func testAsIsAcceptedAnywhereOnALine() throws {
        let actors = try buildMatrixFixture()
        let a = actors.alice
        let lines = ["po --as \(a) show RD-own", "--as \(a) po list", "po show --as \(a) RD-own", "po show RD-own --as=\(a)",
                     "po --as \(a) show RD-own --as \(a)"]
        let run = try batch(lines)
        XCTAssertEqual(run.objects.count, lines.count, run.stderr)
        for (line, object) in zip(lines, run.objects) {
            XCTAssertTrue(object.succeeded, "`\(line)`: \(object.serialized)")
        }
        XCTAssertEqual(run.objects.first?["result"]?["number"]?.text, "RD-own")
        XCTAssertEqual(run.objects[1]["result"]?.arrayValue?.allSatisfy { $0["buyer"]?.text == a }, true)
        // another buyer's --as in the middle of the line acts as that buyer
        let bob = try batch(["po --as \(actors.bob) show RD-own"])
        XCTAssertEqual(bob.objects.first?.errorCode, "not_found")
        let twice = try batch(["po --as \(a) show RD-own --as \(actors.bob)"])
        XCTAssertEqual(twice.objects.first?.errorCode, "invalid_argument")
        let oneShot = try procure(["--format", "json", "po", "--as", a, "show", "RD-own"])
        XCTAssertEqual(oneShot.status, 0, oneShot.stdout + oneShot.stderr)
        let unknown = try procure(["--format", "json", "po", "show", "RD-own", "--as", "nobody_\(TestCluster.uniqueSuffix())"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stdout.contains("\"not_found\""), unknown.stdout)
    }
}
