import EmbeddedPostgres
import Foundation
import Postgres
import ProcurementStore
import TestSupport
import XCTest

/// The repeatable set (`schema/`) against fresh databases and synthetic layouts in temporary
/// folders (never the project's sql/). Like the project's set, each layout starts with a reset
/// file that drops what the rest re-creates; the Migrator itself drops nothing.
final class SchemaSetTests: XCTestCase {
    private var folders: [URL] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private static let baseline = """
        CREATE SCHEMA app;
        CREATE TABLE app.item (id integer PRIMARY KEY, price numeric NOT NULL, note text);
        INSERT INTO app.item VALUES (1, 10, NULL);
        """

    /// Drops every function, view and policy of schema `app` (triggers go with their
    /// functions) and takes back the grants, so the files after it start from the tables alone.
    private static let reset = """
        DO $reset$
        DECLARE
            object record;
        BEGIN
            FOR object IN SELECT c.oid::regclass AS name FROM pg_class c
                          WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'v' LOOP
                EXECUTE format('DROP VIEW IF EXISTS %s CASCADE', object.name);
            END LOOP;
            FOR object IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                          WHERE p.pronamespace = 'app'::regnamespace LOOP
                EXECUTE format('DROP FUNCTION %s CASCADE', object.name);
            END LOOP;
            FOR object IN SELECT pol.polname AS name, pol.polrelid::regclass AS relation FROM pg_policy pol
                          JOIN pg_class c ON c.oid = pol.polrelid WHERE c.relnamespace = 'app'::regnamespace LOOP
                EXECUTE format('DROP POLICY %I ON %s', object.name, object.relation);
            END LOOP;
        END
        $reset$;
        REVOKE ALL ON ALL TABLES IN SCHEMA app FROM PUBLIC;
        REVOKE ALL ON SCHEMA app FROM PUBLIC;
        """

    /// Layout 1: a function, a trigger, a view, a policy and grants.
    private static let layout1: [String: String] = [
        "migrations/0001_baseline.sql": baseline,
        "schema/00_reset.sql": reset,
        "schema/10_items.sql": """
            CREATE FUNCTION app.with_tax(amount numeric) RETURNS numeric
            LANGUAGE sql IMMUTABLE AS $$ SELECT round(amount * 1.10, 2) $$;
            CREATE FUNCTION app.retired(amount numeric) RETURNS numeric
            LANGUAGE sql IMMUTABLE AS $$ SELECT amount $$;
            CREATE FUNCTION app.item_checked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.price < 0 THEN RAISE EXCEPTION 'negative price'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER item_checked BEFORE INSERT OR UPDATE ON app.item
                FOR EACH ROW EXECUTE FUNCTION app.item_checked();
            ALTER TABLE app.item ENABLE ROW LEVEL SECURITY;
            CREATE POLICY item_read ON app.item FOR SELECT USING (true);
            GRANT USAGE ON SCHEMA app TO PUBLIC;
            GRANT SELECT ON app.item TO PUBLIC;
            """,
        "schema/20_views.sql": """
            CREATE VIEW app.priced AS SELECT id, app.with_tax(price) AS gross FROM app.item;
            GRANT SELECT ON app.priced TO PUBLIC;
            """,
    ]

    /// Layout 2: one function changed, one removed and one added, the trigger and policy
    /// changed, a grant taken away, a view file removed and another added.
    private static let layout2: [String: String] = [
        "migrations/0001_baseline.sql": baseline,
        "schema/00_reset.sql": reset,
        "schema/10_items.sql": """
            CREATE FUNCTION app.with_tax(amount numeric) RETURNS numeric
            LANGUAGE sql IMMUTABLE AS $$ SELECT round(amount * 1.20, 2) $$;
            CREATE FUNCTION app.discounted(amount numeric, percent numeric) RETURNS numeric
            LANGUAGE sql IMMUTABLE AS $$ SELECT round(amount * (100 - percent) / 100, 2) $$;
            CREATE FUNCTION app.item_checked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.price <= 0 THEN RAISE EXCEPTION 'price must be positive'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER item_checked BEFORE INSERT ON app.item
                FOR EACH ROW EXECUTE FUNCTION app.item_checked();
            ALTER TABLE app.item ENABLE ROW LEVEL SECURITY;
            CREATE POLICY item_read ON app.item FOR SELECT USING (price > 0);
            GRANT USAGE ON SCHEMA app TO PUBLIC;
            """,
        "schema/30_reports.sql": """
            CREATE VIEW app.discounts AS SELECT id, app.discounted(price, 5) AS net FROM app.item;
            """,
    ]

    /// Writes `files` (paths relative to the layout) into a fresh folder.
    private func write(_ files: [String: String]) throws -> URL {
        let folder = try TemporaryFolder.make(prefix: "set-")
        folders.append(folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return folder
    }

    private func records(_ connection: Connection) throws -> [String] {
        try connection.query("SELECT name || ' ' || checksum AS record FROM procure_schema_files ORDER BY name")
            .rows.compactMap { $0["record"] }
    }

    private func value(_ sql: String, _ connection: Connection) throws -> String? {
        try connection.query(sql).first?["value"]
    }

    private func exists(function signature: String, _ connection: Connection) throws -> Bool {
        try value("SELECT to_regprocedure('\(signature)') IS NOT NULL AS value", connection) == "t"
    }

    func testAFreshDatabaseGetsTheSetAndItsRecord() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        let migrator = try Migrator(directory: try write(Self.layout1))
        XCTAssertEqual(migrator.schema.map(\.name), ["00_reset.sql", "10_items.sql", "20_views.sql"])
        XCTAssertEqual(try migrator.migrate(connection), MigrationOutcome(versions: [1], schemaApplied: true))
        XCTAssertEqual(try value("SELECT gross AS value FROM app.priced", connection), "11.00")
        XCTAssertEqual(try records(connection), migrator.schema.map { "\($0.name) \($0.checksum)" })
        let checksum = try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS value",
                                            [migrator.schema[1].sql]).first?["value"]
        XCTAssertEqual(migrator.schema[1].checksum, checksum)
        // Nothing changed: nothing applied, the record untouched.
        let appliedAt = try value("SELECT max(applied_at)::text AS value FROM procure_schema_files", connection)
        XCTAssertEqual(try migrator.migrate(connection), MigrationOutcome(versions: [], schemaApplied: false))
        XCTAssertEqual(try Migrator(directory: try write(Self.layout1)).migrate(connection).schemaApplied, false)
        XCTAssertEqual(try value("SELECT max(applied_at)::text AS value FROM procure_schema_files", connection), appliedAt)
    }

    func testAChangedFileReappliesTheWholeSet() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        try Migrator(directory: try write(Self.layout1)).migrate(connection)
        var changed = Self.layout1
        changed["schema/20_views.sql"] = """
            CREATE VIEW app.priced AS SELECT id, app.with_tax(price) AS gross, 'v2' AS edition FROM app.item;
            """
        let migrator = try Migrator(directory: try write(changed))
        XCTAssertEqual(try migrator.migrate(connection), MigrationOutcome(versions: [], schemaApplied: true))
        XCTAssertEqual(try value("SELECT edition AS value FROM app.priced", connection), "v2")
        XCTAssertEqual(try records(connection), migrator.schema.map { "\($0.name) \($0.checksum)" })
        // The whole set ran again, the reset first: the grant of the unchanged view's old
        // definition is gone with it, and the function of the unchanged file is back.
        XCTAssertTrue(try exists(function: "app.retired(numeric)", connection))
        XCTAssertEqual(try value("SELECT has_table_privilege('public', 'app.priced', 'SELECT')::text AS value", connection), "false")
    }

    func testAFileAddedOrRemovedReappliesTheSet() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        try Migrator(directory: try write(Self.layout1)).migrate(connection)
        var added = Self.layout1
        added["schema/15_more.sql"] = "CREATE FUNCTION app.added() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;"
        XCTAssertTrue(try Migrator(directory: try write(added)).migrate(connection).schemaApplied)
        XCTAssertTrue(try exists(function: "app.added()", connection))
        XCTAssertEqual(try records(connection).count, 4)

        let removed = Self.layout1
        let migrator = try Migrator(directory: try write(removed))
        XCTAssertTrue(try migrator.migrate(connection).schemaApplied)
        XCTAssertFalse(try exists(function: "app.added()", connection))
        XCTAssertEqual(try records(connection), migrator.schema.map { "\($0.name) \($0.checksum)" })
    }

    func testAFailingFileLeavesThePreviousSetAndRecordIntact() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        let first = try Migrator(directory: try write(Self.layout1))
        try first.migrate(connection)
        let recorded = try records(connection)

        // The reset and a new definition of with_tax run before the failing file: one
        // transaction, so all of it goes.
        var broken = Self.layout2
        broken["schema/25_broken.sql"] = """
            CREATE FUNCTION app.half_done() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
            SELECT 1 / 0;
            """
        XCTAssertThrowsError(try Migrator(directory: try write(broken)).migrate(connection)) { error in
            guard case MigrationError.schemaFailed(let name, let cause) = error else {
                return XCTFail("expected schemaFailed, got \(error)")
            }
            XCTAssertEqual(name, "25_broken.sql")
            XCTAssertEqual(cause.sqlState, "22012")
        }
        XCTAssertEqual(try records(connection), recorded)
        XCTAssertEqual(try value("SELECT app.with_tax(10) AS value", connection), "11.00")
        XCTAssertTrue(try exists(function: "app.retired(numeric)", connection))
        XCTAssertFalse(try exists(function: "app.half_done()", connection))
        XCTAssertFalse(try exists(function: "app.discounted(numeric,numeric)", connection))
        XCTAssertEqual(try value("SELECT gross AS value FROM app.priced", connection), "11.00")
        XCTAssertEqual(try value("SELECT has_table_privilege('public', 'app.item', 'SELECT')::text AS value", connection), "true")

        // Once fixed, the set applies.
        XCTAssertTrue(try Migrator(directory: try write(Self.layout2)).migrate(connection).schemaApplied)
        XCTAssertEqual(try value("SELECT app.with_tax(10) AS value", connection), "12.00")
    }

    func testANewVersionedMigrationReappliesTheSet() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        try Migrator(directory: try write(Self.layout1)).migrate(connection)
        // The migration changes the type of a column the view is built on, which PostgreSQL
        // allows only without the view; the set, unchanged, brings the view back.
        var next = Self.layout1
        next["migrations/0002_price_scale.sql"] = """
            DROP VIEW app.priced;
            ALTER TABLE app.item ALTER COLUMN price TYPE numeric(12, 2);
            """
        XCTAssertEqual(try Migrator(directory: try write(next)).migrate(connection),
                       MigrationOutcome(versions: [2], schemaApplied: true))
        XCTAssertEqual(try value("SELECT gross AS value FROM app.priced", connection), "11.00")
        XCTAssertEqual(try value("SELECT DISTINCT after_version::text AS value FROM procure_schema_files", connection), "2")
    }

    func testAMissingOrEmptySchemaFolderIsAnEmptySet() throws {
        let connection = try Connection(try TestCluster.createDatabase("set"))
        let folder = try write(["migrations/0001_baseline.sql": Self.baseline])
        XCTAssertEqual(try Migrator(directory: folder).schema, [])
        XCTAssertEqual(try Migrator(directory: folder).migrate(connection), MigrationOutcome(versions: [1], schemaApplied: false))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("schema"), withIntermediateDirectories: true)
        try "not SQL".write(to: folder.appendingPathComponent("schema/README.md"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try "SELECT 1 / 0;".write(to: folder.appendingPathComponent("tests/checks.sql"), atomically: true, encoding: .utf8)
        let migrator = try Migrator(directory: folder)
        XCTAssertEqual(migrator.schema, [])
        XCTAssertEqual(migrator.migrations.map(\.version), [1])
        XCTAssertEqual(try migrator.migrate(connection), MigrationOutcome(versions: [], schemaApplied: false))
        XCTAssertEqual(try records(connection), [])
    }

    func testSchemaFilesAreOrderedByNumberThenName() throws {
        let migrator = try Migrator(files: [
            ("schema/10_b.sql", ""), ("schema/9_z.sql", ""), ("schema/10_a.sql", ""), ("schema/00_reset.sql", ""),
            ("migrations/0001_x.sql", ""), ("tests/checks.sql", ""), ("schema/notes.txt", ""),
        ])
        XCTAssertEqual(migrator.schema.map(\.name), ["00_reset.sql", "9_z.sql", "10_a.sql", "10_b.sql"])
        XCTAssertEqual(migrator.migrations.map(\.version), [1])
    }

    func testConcurrentMigratorsApplyAChangedSetOnce() throws {
        let conninfo = try TestCluster.createDatabase("set")
        try Migrator(directory: try write(Self.layout1)).migrate(try Connection(conninfo))
        let migrator = try Migrator(directory: try write(Self.layout2))
        let applied = Counter()
        let errors = runConcurrently(2) { _ in
            if try migrator.migrate(try Connection(conninfo)).schemaApplied { applied.increment() }
        }
        XCTAssertEqual(errors.compactMap { $0.map { "\($0)" } }, [])
        XCTAssertEqual(applied.value, 1)
        XCTAssertEqual(try records(try Connection(conninfo)), migrator.schema.map { "\($0.name) \($0.checksum)" })
    }

    /// A database upgraded across a change of the repeatable files has exactly the schema of a
    /// database built fresh from the new files.
    func testAnUpgradedDatabaseEqualsAFreshOne() throws {
        let upgraded = try TestCluster.createDatabase("upgraded")
        try Migrator(directory: try write(Self.layout1)).migrate(try Connection(upgraded))
        let before = try dump(upgraded)
        XCTAssertTrue(try Migrator(directory: try write(Self.layout2)).migrate(try Connection(upgraded)).schemaApplied)

        let fresh = try TestCluster.createDatabase("fresh")
        try Migrator(directory: try write(Self.layout2)).migrate(try Connection(fresh))

        let upgradedDump = try dump(upgraded)
        XCTAssertEqual(upgradedDump, try dump(fresh))
        // The comparison has teeth: the change shows in the dump.
        XCTAssertNotEqual(before, upgradedDump)
        XCTAssertTrue(before.contains("app.retired") && !upgradedDump.contains("app.retired"))
        XCTAssertTrue(upgradedDump.contains("app.discounted") && upgradedDump.contains("app.discounts"))
    }

    private func dump(_ conninfo: String) throws -> String {
        try SchemaDump.text(of: conninfo)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
