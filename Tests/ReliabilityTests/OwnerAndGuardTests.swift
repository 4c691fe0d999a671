import Foundation
import Postgres
import TestSupport
import XCTest

/// SPEC §3 and §9: the superuser is not the everyday role, the schema belongs to a NOLOGIN
/// owner, no role rewrites the audit or truncates a table, no session setting or shadowing
/// object turns a guard off, and a refused price raise is recorded whichever client made it.
/// Each test makes the attempt as an attacker would, in raw SQL as each role, and checks the
/// refusal and that nothing changed.
final class OwnerAndGuardTests: DatabaseTestCase {
    /// The conninfo of this test's database as another role (trust on the test cluster's socket).
    func conninfo(as role: String) -> String {
        conninfo.replacingOccurrences(of: "user='postgres'", with: "user='\(role)'")
    }

    /// Runs `statement` as the superuser after `setup` (SET ROLE …, SET …), in a transaction
    /// rolled back afterwards; the SQLSTATE it failed with, or nil when it succeeded.
    func attempt(_ setup: String, _ statement: String, on connection: Connection) throws -> PostgresError.Code? {
        try connection.execute(script: "BEGIN")
        defer { try? connection.execute(script: "ROLLBACK") }
        do {
            if !setup.isEmpty { try connection.execute(script: setup) }
            try connection.execute(script: statement)
            return nil
        } catch let error as PostgresError {
            return error.code ?? PostgresError.Code(raw: "?????")
        }
    }

    /// Every table of the schema with its row count, and the audit's verdict: what an attack
    /// must leave as it was.
    func state() throws -> String {
        let tables = try sql("""
            SELECT string_agg(format('%s=%s', c.relname,
                       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM procure.%I', c.relname), false, true, '')))[1]::text),
                       ' ' ORDER BY c.relname) AS counts
              FROM pg_class c WHERE c.relnamespace = 'procure'::regnamespace AND c.relkind = 'r'
            """).first?["counts"] ?? ""
        let audit = try scalar("SELECT md5(string_agg(hash, ',' ORDER BY id)) FROM procure.audit_log") ?? ""
        let verify = try scalar("SELECT procure.audit_verify() ->> 'ok'") ?? ""
        return "\(tables) audit=\(audit) verify=\(verify)"
    }

    /// Several statements at once, as the superuser.
    func script(_ text: String) throws {
        try Connection(conninfo).execute(script: text)
    }

    // MARK: the owner and the everyday role

    func testTheSchemaBelongsToANologinOwnerThatNobodyActsAs() throws {
        let foreign = try sql("""
            SELECT kind || ' ' || name AS object FROM (
                SELECT 'schema' AS kind, nspname::text AS name, nspowner AS owner FROM pg_namespace WHERE nspname = 'procure'
                UNION ALL SELECT 'relation', relname, relowner FROM pg_class WHERE relnamespace = 'procure'::regnamespace
                UNION ALL SELECT 'function', oid::regprocedure::text, proowner FROM pg_proc WHERE pronamespace = 'procure'::regnamespace
                UNION ALL SELECT 'type', typname, typowner FROM pg_type WHERE typnamespace = 'procure'::regnamespace) o
             WHERE owner <> 'procure_owner'::regrole
            """).rows.map { $0["object"] ?? "" }
        XCTAssertEqual(foreign, [], "objects of procure not owned by procure_owner")
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = 'procure'::regnamespace AND prosecdef"), try scalar("""
            SELECT count(*) FROM pg_proc WHERE pronamespace = 'procure'::regnamespace AND prosecdef AND proowner = 'procure_owner'::regrole
            """))
        let owner = try XCTUnwrap(sql("SELECT rolcanlogin::text, rolsuper::text FROM pg_roles WHERE rolname = 'procure_owner'").first)
        XCTAssertEqual(owner["rolcanlogin"], "false")
        XCTAssertEqual(owner["rolsuper"], "false")
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_auth_members WHERE roleid = 'procure_owner'::regrole"), "0",
                       "a role is a member of procure_owner and may act as it")
        XCTAssertThrowsError(try Connection(conninfo(as: "procure_owner")), "procure_owner logged in")

        // The everyday role: neither owner nor superuser nor a group; it cannot become the
        // owner, the superuser or a group's privileges it was not given.
        let cli = try XCTUnwrap(sql("SELECT rolsuper::text, rolcanlogin::text FROM pg_roles WHERE rolname = 'procure_cli'").first)
        XCTAssertEqual(cli["rolsuper"], "false")
        XCTAssertEqual(cli["rolcanlogin"], "true")
        let connection = try Connection(conninfo(as: "procure_cli"))
        for role in ["procure_owner", "postgres", "procure_recorder"] {
            XCTAssertEqual(try attempt("", "SET ROLE \(role)", on: connection), .insufficientPrivilege, "procure_cli: SET ROLE \(role)")
        }
        XCTAssertEqual(try connection.query("SELECT current_user AS u").first?["u"], "procure_cli")
    }

    func testTheEverydayRoleActsAsAnAdminNotAsTheUsersItMayBecome() throws {
        let s = TestCluster.uniqueSuffix()
        let buyer = "ob_\(s)", finance = "of_\(s)"
        try mustSucceed([
            "supplier add S1 --name Acme", "item add A --name Bolt", "price set S1 A 10 --from 2026-01-01",
            "user add \(buyer) --role buyer", "user add \(finance) --role finance",
            "po create S1 --number OG-1 --date 2026-03-01 A:5 --as \(buyer)", "po issue OG-1 --as \(buyer)",
            "production OG-1 1 --finished 2 --as \(buyer)",
            "correct OG-1 --reason other --note wrong --as \(buyer)",
            "po create S1 --number OG-3 --date 2026-03-01 A:1 --as \(buyer)",
        ])
        let cli = conninfo(as: "procure_cli")
        // As itself it is an admin and an auditor ...
        let admin = try batch(["supplier add S2 --name Other", "po show OG-1", "report liabilities"], db: cli)
        XCTAssertEqual(admin.objects.map(\.succeeded), [true, true, true], admin.objects.map(\.serialized).joined(separator: "\n"))
        // ... and none of the users it may act as: through the CLI ...
        let asItself = try batch(["po create S1 A:1", "po pay OG-1 5", "liability agree OG-1", "po issue OG-3"], db: cli)
        XCTAssertEqual(asItself.objects.map(\.errorCode), Array(repeating: "permission_denied", count: 4),
                       asItself.objects.map(\.serialized).joined(separator: "\n"))
        // ... and in raw SQL.
        let connection = try Connection(cli)
        for statement in [
            "INSERT INTO procure.orders (supplier_id) SELECT id FROM procure.suppliers WHERE code = 'S1'",
            "INSERT INTO procure.payments (supplier_id, order_id, amount) SELECT supplier_id, id, 5 FROM procure.orders WHERE number = 'OG-1'",
            "UPDATE procure.liabilities SET status = 'agreed'",
            "UPDATE procure.order_lines SET price = 1",
        ] {
            XCTAssertEqual(try attempt("", statement, on: connection), .insufficientPrivilege, "procure_cli: \(statement)")
        }
        // Through --as it is each user, held to that user's rules.
        let acting = try batch(["po create S1 --number OG-2 A:1 --as \(buyer)", "po pay OG-2 5 --as \(buyer)"], db: cli)
        XCTAssertEqual(acting.objects.map(\.errorCode), [nil, "permission_denied"], acting.objects.map(\.serialized).joined(separator: "\n"))
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.orders WHERE buyer = 'procure_cli'"), "0")
        XCTAssertEqual(try scalar("SELECT count(*) FROM procure.payments"), "0")
        XCTAssertEqual(try scalar("SELECT status FROM procure.orders WHERE number = 'OG-3'"), "draft")
        XCTAssertEqual(try scalar("SELECT string_agg(code, ',' ORDER BY code) FROM procure.suppliers"), "S1,S2")
    }

    // MARK: the audit and the tables

    /// No role — each user's, the everyday role, the owner, the superuser — updates, deletes or
    /// truncates an audit row or truncates a table; nor inserts into the audit log, but for the
    /// owner's own audit functions.
    func testNoRoleRewritesTheAuditOrTruncatesATable() throws {
        let actors = try buildMatrixFixture()
        let before = try state()
        let connection = try Connection(conninfo)
        let tables = try sql("SELECT relname FROM pg_class WHERE relnamespace = 'procure'::regnamespace AND relkind = 'r' ORDER BY relname")
            .rows.map { $0["relname"]! }
        XCTAssertGreaterThan(tables.count, 15)
        var statements = [
            "INSERT INTO procure.audit_log (chain, seq, at, actor, changes, hash) VALUES ('order:RD-own', 99, now(), 'x', '[]', 'x')",
            "UPDATE procure.audit_log SET actor = 'nobody'",
            "DELETE FROM procure.audit_log WHERE seq > 1",
            "UPDATE procure.audit_heads SET seq = 1",
            "DELETE FROM procure.audit_heads",
            "INSERT INTO procure.audit_heads (chain, seq, hash) VALUES ('forged', 1, 'x')",
        ]
        statements += tables.map { "TRUNCATE procure.\($0) CASCADE" }
        var attempts = 0
        for (who, setup) in [("buyer", "SET LOCAL ROLE \(actors.alice)"), ("finance", "SET LOCAL ROLE \(actors.finance)"),
                             ("admin", "SET LOCAL ROLE \(actors.admin)"), ("auditor", "SET LOCAL ROLE \(actors.auditor)"),
                             ("everyday role", "SET LOCAL ROLE procure_cli"), ("owner", "SET LOCAL ROLE procure_owner"),
                             ("superuser", "")] {
            for statement in statements {
                let outcome = try attempt(setup, statement, on: connection)
                XCTAssertEqual(outcome, .insufficientPrivilege, "\(who): \(statement)")
                attempts += 1
            }
        }
        // The everyday role in a session of its own.
        let cli = try Connection(conninfo(as: "procure_cli"))
        for statement in statements {
            XCTAssertEqual(try attempt("", statement, on: cli), .insufficientPrivilege, "procure_cli: \(statement)")
            attempts += 1
        }
        XCTAssertEqual(try state(), before, "an attempt changed something")
        Figures.record("guards.audit_and_truncate_attempts_refused", attempts)
    }

    /// The old guard let any statement at trigger depth 2 write: a trigger of the superuser's
    /// making that inserts a correctly hashed row. Now the trigger runs as its definer (the
    /// superuser), not as the owner's audit functions, and the whole statement is refused. (A
    /// superuser who makes such a function the owner's can forge; a checkpoint catches what
    /// that rewrites, testACheckpointCatchesARehashedRewriteBySuperuser.)
    func testANestedTriggerForgesNoAuditRow() throws {
        _ = try buildMatrixFixture()
        let before = try state()
        try script("""
            CREATE FUNCTION public.forge_audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$
            DECLARE h procure.audit_heads;
            BEGIN
                SELECT * INTO h FROM procure.audit_heads WHERE chain = 'order:RD-own';
                INSERT INTO procure.audit_log (chain, seq, at, actor, changes, prev_hash, hash)
                VALUES (h.chain, h.seq + 1, now(), 'someone', '[{"table": "orders", "op": "UPDATE", "entity": "RD-own", "new": {}}]', h.hash,
                        procure.audit_hash(h.hash, procure.audit_content(h.chain, h.seq + 1, now(), 'someone',
                            '[{"table": "orders", "op": "UPDATE", "entity": "RD-own", "new": {}}]')));
                UPDATE procure.audit_heads SET seq = seq + 1 WHERE chain = h.chain;
                RETURN NULL;
            END $f$;
            CREATE TRIGGER forge AFTER INSERT ON procure.items FOR EACH STATEMENT EXECUTE FUNCTION public.forge_audit();
            """)
        defer { try? script("DROP TRIGGER IF EXISTS forge ON procure.items; DROP FUNCTION IF EXISTS public.forge_audit()") }
        let run = try batch(["item add FORGED --name X"])
        XCTAssertEqual(run.objects.first?.errorCode, "permission_denied", run.objects.first?.serialized ?? run.stderr)
        try script("DROP TRIGGER forge ON procure.items; DROP FUNCTION public.forge_audit()")
        XCTAssertEqual(try state(), before)
    }

    /// A search_path that puts a schema of one's own first, with a `pg_trigger_depth` that says
    /// 5 and text and name `=` operators that say true, changes no guard's answer.
    func testShadowingFunctionsAndOperatorsTurnNoGuardOff() throws {
        let actors = try buildMatrixFixture()
        // Every trigger function and every SECURITY DEFINER function resolves names in
        // pg_catalog first, whatever the caller's search_path.
        let unpinned = try sql("""
            SELECT p.oid::regprocedure::text AS f FROM pg_proc p
             WHERE p.pronamespace = 'procure'::regnamespace
               AND (p.prorettype = 'trigger'::regtype OR p.prosecdef)
               AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=pg_catalog,%' OR c = 'search_path=pg_catalog')
            """).rows.map { $0["f"] ?? "" }
        XCTAssertEqual(unpinned, [], "functions whose names a caller's search_path may shadow")
        let schema = "evil_\(TestCluster.uniqueSuffix())"
        try script("""
            CREATE SCHEMA \(schema) AUTHORIZATION \(actors.alice);
            CREATE FUNCTION \(schema).pg_trigger_depth() RETURNS integer LANGUAGE sql AS 'SELECT 5';
            CREATE FUNCTION \(schema).always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
            CREATE FUNCTION \(schema).always(name, name) RETURNS boolean LANGUAGE sql AS 'SELECT true';
            CREATE OPERATOR \(schema).= (LEFTARG = text, RIGHTARG = text, FUNCTION = \(schema).always);
            CREATE OPERATOR \(schema).= (LEFTARG = name, RIGHTARG = name, FUNCTION = \(schema).always);
            CREATE OPERATOR \(schema).<> (LEFTARG = name, RIGHTARG = name, FUNCTION = \(schema).always);
            CREATE OPERATOR \(schema).<> (LEFTARG = text, RIGHTARG = text, FUNCTION = \(schema).always);
            GRANT USAGE ON SCHEMA \(schema) TO PUBLIC;
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA \(schema) TO PUBLIC;
            """)
        defer { try? script("DROP SCHEMA \(schema) CASCADE") }
        let before = try state()
        let connection = try Connection(conninfo)
        let path = "SET LOCAL search_path = \(schema), pg_catalog, procure"
        var attempts = 0
        for (who, role) in [("superuser", ""), ("owner", "SET LOCAL ROLE procure_owner;"), ("buyer", "SET LOCAL ROLE \(actors.alice);"),
                            ("everyday role", "SET LOCAL ROLE procure_cli;")] {
            for statement in [
                "INSERT INTO procure.audit_log (chain, seq, at, actor, changes, hash) VALUES ('x', 1, now(), 'x', '[]', 'x')",
                "UPDATE procure.audit_log SET actor = 'nobody'", "DELETE FROM procure.audit_log", "TRUNCATE procure.audit_log",
                "UPDATE procure.audit_heads SET seq = 0", "INSERT INTO procure.audit_pending (xact, chain, entity, at, actor, table_name, op) VALUES (pg_current_xact_id(), 'x', 'x', now(), 'x', 'x', 'INSERT')",
                "TRUNCATE procure.orders CASCADE", "UPDATE procure.production_reports SET salvage = 1", "DELETE FROM procure.corrections",
            ] {
                let outcome = try attempt(role + path, statement, on: connection)
                XCTAssertNotNil(outcome, "\(who) with a shadowing search_path: \(statement) succeeded")
                if outcome != .insufficientPrivilege {
                    // a guard that answers invalid_state (append-only business rows) is a refusal too
                    XCTAssertEqual(outcome, .checkViolation, "\(who): \(statement) gave \(String(describing: outcome))")
                }
                attempts += 1
            }
        }
        XCTAssertEqual(try state(), before)
        // A buyer's price edit with the shadowing path still meets the price rule.
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.alice);" + path, "UPDATE procure.order_lines SET price = 99", on: connection),
                       .checkViolation)
        Figures.record("guards.shadowing_attempts_refused", attempts + 1)
    }

    /// Only a superuser may set session_replication_role (which turns triggers off): not the
    /// owner, not the everyday role, not a user — by SET, by set_config, or at connection time.
    func testNoRoleButASuperuserTurnsTriggersOffWithReplicaMode() throws {
        let actors = try buildMatrixFixture()
        let connection = try Connection(conninfo)
        var attempts = 0
        for (who, role) in [("owner", "procure_owner"), ("everyday role", "procure_cli"), ("buyer", actors.alice),
                            ("finance", actors.finance), ("admin", actors.admin), ("auditor", actors.auditor)] {
            for statement in ["SET session_replication_role = replica", "SET LOCAL session_replication_role = replica",
                              "SELECT set_config('session_replication_role', 'replica', true)"] {
                XCTAssertEqual(try attempt("SET LOCAL ROLE \(role)", statement, on: connection), .insufficientPrivilege, "\(who): \(statement)")
                attempts += 1
            }
        }
        XCTAssertThrowsError(try Connection(conninfo(as: "procure_cli") + " options='-c session_replication_role=replica'"),
                             "procure_cli connected in replica mode")
        attempts += 1
        Figures.record("guards.replica_mode_attempts_refused", attempts)
    }

    // MARK: refused price raises

    func refusedEdits(_ number: String) throws -> [String] {
        try sql("""
            SELECT e.actor || ' ' || e.old_price || '→' || e.new_price || ' base ' || e.base_price || ' ' || e.code AS edit
              FROM procure.price_edits e JOIN procure.orders o ON o.supplier_id = e.supplier_id AND o.id = e.order_id
             WHERE o.number = $1 AND NOT e.accepted ORDER BY e.id
            """, [number]).rows.map { $0["edit"] ?? "" }
    }

    /// A refused raise is recorded whichever client made it: the CLI (once, not twice), psql
    /// (in autocommit, in a transaction that locked the order first, below the buyer's floor),
    /// and an --atomic batch that rolls back.
    func testARefusedPriceRaiseIsRecordedWhicheverClientMadeIt() throws {
        let actors = try buildMatrixFixture()
        try sql("UPDATE procure.users SET max_discount = 10 WHERE name = $1", [actors.bob])
        try mustSucceed(["po create S1 --number RB-1 --date 2026-03-01 A:5 --as \(actors.bob)"])
        let cli = try batch(["po price PR-own 1 11 --as \(actors.alice)"])
        XCTAssertEqual(cli.objects.first?.errorCode, "price_above_base")
        let atomic = try batch(["po price PR-own 1 12 --as \(actors.alice)", "po show PR-own --as \(actors.alice)"], flags: ["--atomic"])
        XCTAssertEqual(atomic.status, 1)
        let connection = try Connection(conninfo)
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.alice)", "UPDATE procure.order_lines l SET price = 13 FROM procure.orders o WHERE o.supplier_id = l.supplier_id AND o.id = l.order_id AND o.number = 'PR-own'", on: connection),
                       .checkViolation)
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.alice)", """
            SELECT 1 FROM procure.orders WHERE number = 'PR-own' FOR UPDATE;
            UPDATE procure.order_lines l SET price = 14 FROM procure.orders o WHERE o.supplier_id = l.supplier_id AND o.id = l.order_id AND o.number = 'PR-own'
            """, on: connection), .checkViolation)
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.bob)", "SELECT procure.po_price('RB-1', 1, 8)", on: connection),
                       .checkViolation)
        XCTAssertEqual(try refusedEdits("PR-own"), [11, 12, 13, 14].map { "\(actors.alice) 10→\($0) base 10 price_above_base" })
        XCTAssertEqual(try refusedEdits("RB-1"), ["\(actors.bob) 10→8 base 10 price_below_limit"])
        XCTAssertEqual(try scalar("SELECT price FROM procure.order_lines l JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id WHERE o.number = 'PR-own'"), "10")
        // the appraisal (of issued orders) counts a refusal made in psql
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.alice)", "SELECT procure.po_price('AK-own', 1, 10.01)", on: connection), .checkViolation)
        XCTAssertEqual(try scalar("SELECT sum(refused_edits) FROM procure.report_price_compliance WHERE buyer = $1", [actors.alice]), "1")
    }

    /// The record is the system's alone: no client calls the recording functions, and the
    /// recorder itself may do nothing else and records no line that does not exist.
    func testNoClientWritesARefusedEditRecordOfItsOwn() throws {
        let actors = try buildMatrixFixture()
        let before = try state()
        let connection = try Connection(conninfo)
        let invented = "SELECT procure.record_refused_price_edit_store(o.supplier_id, o.id, 1, 'nobody', 99, 1, 'price_above_base') FROM procure.orders o WHERE o.number = 'PR-own'"
        let direct = "SELECT procure.record_refused_price_edit(o, l, 99, 'price_above_base') FROM procure.orders o JOIN procure.order_lines l ON l.supplier_id = o.supplier_id AND l.order_id = o.id WHERE o.number = 'PR-own'"
        let insert = "INSERT INTO procure.price_edits (supplier_id, order_id, line_no, actor, accepted, code) SELECT supplier_id, id, 1, 'nobody', false, 'price_above_base' FROM procure.orders WHERE number = 'PR-own'"
        for role in [actors.alice, actors.bob, actors.finance, actors.admin, actors.auditor, "procure_cli"] {
            for statement in [invented, direct, insert] {
                XCTAssertEqual(try attempt("SET LOCAL ROLE \(role)", statement, on: connection), .insufficientPrivilege, "\(role): \(statement)")
            }
        }
        // the recorder's own session: its one function, for existing lines only, and nothing else
        let recorder = try Connection(conninfo(as: "procure_recorder"))
        XCTAssertEqual(try recorder.query("SELECT procure.record_refused_price_edit_store(1, 999999, 1, 'nobody', 99, 1, 'price_above_base')::text AS r").first?["r"], "false")
        for statement in ["SELECT count(*) FROM procure.orders", "SELECT procure.po_price('PR-own', 1, 1)", insert,
                          "SELECT public.dblink_connect_u('x', 'dbname=postgres')"] {
            XCTAssertEqual(try attempt("", statement, on: recorder), .insufficientPrivilege, "procure_recorder: \(statement)")
        }
        // nor may anyone else use dblink at all
        XCTAssertEqual(try attempt("SET LOCAL ROLE \(actors.alice)", "SELECT public.dblink_connect('x', 'dbname=postgres')", on: connection), .insufficientPrivilege)
        XCTAssertEqual(try state(), before)
    }

    /// Where the server lets the recorder in no way (here: it may not log in), the refusal
    /// still stands and nothing is recorded (docs/security.md says which clients that affects).
    func testTheRefusalStandsWhereTheRecorderCannotConnect() throws {
        let actors = try buildMatrixFixture()
        try sql("ALTER ROLE procure_recorder NOLOGIN")
        defer { _ = try? sql("ALTER ROLE procure_recorder LOGIN") }
        let run = try batch(["po price PR-own 1 11 --as \(actors.alice)"])
        XCTAssertEqual(run.objects.first?.errorCode, "price_above_base", run.objects.first?.serialized ?? run.stderr)
        XCTAssertEqual(try refusedEdits("PR-own"), [])
        _ = try sql("ALTER ROLE procure_recorder LOGIN")
        _ = try batch(["po price PR-own 1 11 --as \(actors.alice)"])
        XCTAssertEqual(try refusedEdits("PR-own").count, 1)
    }

    // MARK: checkpoints

    /// A superuser with the triggers off rewrites a row and recomputes every hash after it, and
    /// the chain's head: `audit verify` cannot tell, `audit verify --checkpoint` can.
    func testACheckpointCatchesARehashedRewriteBySuperuser() throws {
        let actors = try buildMatrixFixture()
        let file = TemporaryFolder.newPath(prefix: "procure-checkpoint") + ".json"
        defer { unlink(file) }
        let taken = try batch(["audit checkpoint --out \(file)"])
        XCTAssertEqual(taken.objects.first?.succeeded, true, taken.objects.first?.serialized ?? taken.stderr)
        let saved = try JSONParser.parse(String(contentsOfFile: file, encoding: .utf8))
        XCTAssertEqual(saved["digest"], taken.objects.first?["result"]?["digest"])
        XCTAssertGreaterThan(saved["heads"]?.arrayValue?.count ?? 0, 10)
        // Later work appends to the chains: still no rewrite.
        try mustSucceed(["po price RD-own 1 9 --as \(actors.alice)", "po create S1 --number CP-2 A:1 --as \(actors.alice)"])
        let clean = try batch(["audit verify --checkpoint \(file)"])
        XCTAssertEqual(clean.objects.first?.succeeded, true, clean.objects.first?.serialized ?? clean.stderr)

        try script("""
            SET session_replication_role = replica;
            UPDATE procure.audit_log SET actor = 'mallory' WHERE chain = 'order:RD-own' AND seq = 2;
            DO $f$
            DECLARE r record; prev text;
            BEGIN
                FOR r IN SELECT * FROM procure.audit_log WHERE chain = 'order:RD-own' ORDER BY seq LOOP
                    UPDATE procure.audit_log SET prev_hash = prev,
                           hash = procure.audit_hash(prev, procure.audit_content(r.chain, r.seq, r.at, r.actor, r.changes))
                     WHERE id = r.id RETURNING hash INTO prev;
                END LOOP;
                UPDATE procure.audit_heads SET hash = prev WHERE chain = 'order:RD-own';
            END $f$;
            """)
        let plain = try batch(["audit verify"])
        XCTAssertEqual(plain.objects.first?.succeeded, true, "the re-hashed rewrite is consistent in itself")
        let caught = try batch(["audit verify --checkpoint \(file)"])
        XCTAssertEqual(caught.status, 1)
        XCTAssertEqual(caught.objects.first?.errorCode, "invalid_state")
        XCTAssertTrue(caught.objects.first?.serialized.contains("order:RD-own") == true, caught.objects.first?.serialized ?? "")

        // A checkpoint file edited to match is caught by its digest; rows removed are named.
        let edited = try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: saved["heads"]?.arrayValue?.first?["hash"]?.text ?? "-", with: String(repeating: "0", count: 64))
        let editedFile = file + ".edited"
        try edited.write(toFile: editedFile, atomically: true, encoding: .utf8)
        defer { unlink(editedFile) }
        let altered = try batch(["audit verify --checkpoint \(editedFile)"])
        XCTAssertTrue(altered.objects.first?.serialized.contains("digest") == true, altered.objects.first?.serialized ?? "")
        try script("SET session_replication_role = replica; DELETE FROM procure.audit_log WHERE chain = 'order:IS-own'; DELETE FROM procure.audit_heads WHERE chain = 'order:IS-own'")
        let removed = try batch(["audit verify --checkpoint \(file)"])
        XCTAssertEqual(removed.objects.first?.errorCode, "invalid_state")
        let notAFile = try batch(["audit verify --checkpoint /nonexistent/checkpoint.json"])
        XCTAssertEqual(notAFile.objects.first?.errorCode, "invalid_argument")
    }
}
