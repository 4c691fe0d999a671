import Foundation
import Postgres
import ProcurementStore
import TestSupport
import XCTest

/// The migrator's versioned files against a fresh database and a layout of its own (never the
/// project's sql/): `migrations/` in a temporary folder, no `schema/` (an empty repeatable set).
final class MigratorTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(migrated: false) }
    private var folder: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        folder = try TemporaryFolder.make(prefix: "mig-")
        try write("0001_first.sql", "CREATE TABLE first_table (id integer PRIMARY KEY);")
        try write("0002_second.sql", """
            CREATE TABLE second_table (id integer REFERENCES first_table);
            INSERT INTO first_table VALUES (1);
            INSERT INTO second_table VALUES (1);
            """)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: folder)
    }

    private var migrationsFolder: URL { folder.appendingPathComponent("migrations") }

    private func write(_ file: String, _ sql: String) throws {
        try FileManager.default.createDirectory(at: migrationsFolder, withIntermediateDirectories: true)
        try sql.write(to: migrationsFolder.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    private func migrator() throws -> Migrator {
        try Migrator(directory: folder)
    }

    private func tableExists(_ name: String, _ connection: Connection) throws -> Bool {
        try connection.query("SELECT to_regclass($1) IS NOT NULL AS present", [name]).first?["present"] == "t"
    }

    func testAppliesEachMigrationOnce() throws {
        let connection = try Connection(conninfo)
        XCTAssertEqual(try migrator().migrate(connection), MigrationOutcome(versions: [1, 2], schemaApplied: false))
        XCTAssertEqual(try migrator().migrate(connection), MigrationOutcome(versions: [], schemaApplied: false))
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM second_table").first?["n"], "1")
    }

    func testRecordsVersionsNamesAndChecksums() throws {
        let connection = try Connection(conninfo)
        try migrator().migrate(connection)
        let rows = try connection.query("""
            SELECT version, name, checksum, applied_at <= now() AS in_the_past FROM procure_migrations ORDER BY version
            """).rows
        XCTAssertEqual(rows.map { $0["version"] }, ["1", "2"])
        XCTAssertEqual(rows.map { $0["name"] }, ["first", "second"])
        XCTAssertEqual(rows.map { $0["in_the_past"] }, ["t", "t"])
        // The checksum is SHA-256 of the file: PostgreSQL's own sha256 must agree.
        for (row, file) in zip(rows, ["0001_first.sql", "0002_second.sql"]) {
            let text = try String(contentsOf: migrationsFolder.appendingPathComponent(file), encoding: .utf8)
            let expected = try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS hash", [text]).first?["hash"]
            XCTAssertEqual(row["checksum"], expected, file)
        }
        let recorded = try migrator().appliedChecksums(connection)
        XCTAssertEqual(recorded[2]?.name, "second")
        XCTAssertEqual(recorded[2]?.checksum, try migrator().migrations[1].checksum)
    }

    func testAnEditedAppliedMigrationIsRefused() throws {
        let connection = try Connection(conninfo)
        try migrator().migrate(connection)
        try write("0001_first.sql", "CREATE TABLE first_table (id integer PRIMARY KEY, extra text);")
        try write("0003_third.sql", "CREATE TABLE third_table (id integer);")
        XCTAssertThrowsError(try migrator().migrate(connection)) { error in
            guard case MigrationError.checksumMismatch(let version, let name) = error else {
                return XCTFail("expected checksumMismatch, got \(error)")
            }
            XCTAssertEqual(version, 1)
            XCTAssertEqual(name, "first")
        }
        // Nothing after the edited file was applied either.
        XCTAssertFalse(try tableExists("third_table", connection))
    }

    func testAMigrationTheFolderDoesNotKnowIsRefused() throws {
        let connection = try Connection(conninfo)
        try migrator().migrate(connection)
        try FileManager.default.removeItem(at: migrationsFolder.appendingPathComponent("0002_second.sql"))
        XCTAssertThrowsError(try migrator().migrate(connection)) { error in
            guard case MigrationError.unknownApplied(let version, _) = error else {
                return XCTFail("expected unknownApplied, got \(error)")
            }
            XCTAssertEqual(version, 2)
        }
    }

    func testANewFileIsAppliedAlone() throws {
        let connection = try Connection(conninfo)
        try migrator().migrate(connection)
        try write("0003_third.sql", "CREATE TABLE third_table (id integer);")
        XCTAssertEqual(try migrator().migrate(connection).versions, [3])
        XCTAssertTrue(try tableExists("third_table", connection))
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM procure_migrations").first?["n"], "3")
    }

    func testAFailingMigrationRollsBackEntirely() throws {
        let connection = try Connection(conninfo)
        try write("0003_broken.sql", """
            CREATE TABLE broken_table (id integer);
            INSERT INTO broken_table VALUES (1);
            SELECT 1 / 0;
            """)
        try write("0004_after.sql", "CREATE TABLE after_table (id integer);")
        XCTAssertThrowsError(try migrator().migrate(connection)) { error in
            guard case MigrationError.failed(let version, let name, let cause) = error else {
                return XCTFail("expected failed, got \(error)")
            }
            XCTAssertEqual(version, 3)
            XCTAssertEqual(name, "broken")
            XCTAssertEqual(cause.code, .divisionByZero)
        }
        XCTAssertFalse(try tableExists("broken_table", connection))
        XCTAssertFalse(try tableExists("after_table", connection))
        XCTAssertEqual(try migrator().appliedChecksums(connection).keys.sorted(), [1, 2])
        // Once fixed, it applies, followed by the rest.
        try write("0003_broken.sql", "CREATE TABLE broken_table (id integer);")
        XCTAssertEqual(try migrator().migrate(connection).versions, [3, 4])
    }

    func testConcurrentMigratorsApplyEachMigrationExactlyOnce() throws {
        // Each migration fails if run twice (CREATE TABLE without IF NOT EXISTS) and is slow
        // enough for the two migrators to overlap.
        for version in 3...6 {
            try write(String(format: "%04d_slow_%d.sql", version, version),
                      "CREATE TABLE slow_\(version) (id integer); SELECT pg_sleep(0.05);")
        }
        let migrator = try migrator()
        let conninfo = conninfo
        let applied = AppliedVersions()
        let errors = runConcurrently(2) { _ in
            let connection = try Connection(conninfo)
            applied.add(try migrator.migrate(connection).versions)
        }
        XCTAssertEqual(errors.compactMap { $0.map { "\($0)" } }, [])
        XCTAssertEqual(applied.all.sorted(), [1, 2, 3, 4, 5, 6])
        let connection = try Connection(conninfo)
        XCTAssertEqual(try connection.query("SELECT version FROM procure_migrations ORDER BY version").rows.map { $0["version"] },
                       ["1", "2", "3", "4", "5", "6"])
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM first_table").first?["n"], "1")
    }

    func testFileNamesMustBeNumbered() throws {
        for subfolder in ["migrations", "schema"] {
            for bad in ["first.sql", "0001.sql", "v1_first.sql", "0001_.sql"] {
                let folder = try TemporaryFolder.make(prefix: "mig-")
                defer { try? FileManager.default.removeItem(at: folder) }
                for made in ["migrations", subfolder] {
                    try FileManager.default.createDirectory(at: folder.appendingPathComponent(made), withIntermediateDirectories: true)
                }
                try "SELECT 1;".write(to: folder.appendingPathComponent(subfolder).appendingPathComponent(bad), atomically: true, encoding: .utf8)
                XCTAssertThrowsError(try Migrator(directory: folder), "\(subfolder)/\(bad)") { error in
                    guard case MigrationError.badFileName(let file) = error else {
                        return XCTFail("expected badFileName, got \(error)")
                    }
                    XCTAssertEqual(file, bad)
                }
            }
        }
    }

    func testOtherFilesAreIgnoredAndVersionsAreNumericallyOrdered() throws {
        try write("README.md", "not a migration")
        try write("10_tenth.sql", "CREATE TABLE tenth_table (id integer);")
        try write("9_ninth.sql", "CREATE TABLE ninth_table (id integer);")
        XCTAssertEqual(try migrator().migrations.map(\.version), [1, 2, 9, 10])
    }

    func testDuplicateVersionsAndMissingFoldersAreRefused() throws {
        try write("0002_again.sql", "SELECT 1;")
        XCTAssertThrowsError(try migrator()) { error in
            guard case MigrationError.duplicateVersion(2) = error else { return XCTFail("got \(error)") }
        }
        XCTAssertThrowsError(try Migrator(directory: folder.appendingPathComponent("missing"))) { error in
            guard case MigrationError.folderMissing = error else { return XCTFail("got \(error)") }
        }
        // Files directly in the folder, not in migrations/, are not a layout.
        let flat = try TemporaryFolder.make(prefix: "mig-")
        defer { try? FileManager.default.removeItem(at: flat) }
        try "SELECT 1;".write(to: flat.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Migrator(directory: flat)) { error in
            guard case MigrationError.folderMissing(let path) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(path.hasSuffix("/migrations"), path)
        }
    }

    // MARK: the schema check a command's first statement makes (SchemaCheck.swift)

    /// The check as a new session makes it (a database's settings reach sessions that start
    /// after they were set): nil when it passes.
    private func check(_ digest: String) throws -> PostgresError? {
        let session = try Connection(conninfo)
        do {
            try session.query("SELECT public.procure_schema_is($1::text)", [digest])
            return nil
        } catch let error as PostgresError {
            return error
        }
    }

    func testTheCheckPassesForTheMigratedSetAndRefusesAnyOther() throws {
        let connection = try Connection(conninfo)
        let neverMigrated = try XCTUnwrap(try check(try migrator().digest))
        XCTAssertTrue(Migrator.isStaleSchema(neverMigrated), "a database never migrated has no check: \(neverMigrated)")
        try migrator().migrate(connection)
        XCTAssertNil(try check(try migrator().digest), "the database holds exactly this set")
        let wrong = try XCTUnwrap(try check(String(repeating: "0", count: 64)))
        XCTAssertEqual(wrong.sqlState, Migrator.staleSchemaState)
        XCTAssertTrue(Migrator.isStaleSchema(wrong))
        XCTAssertFalse(Migrator.isStaleSchema(PostgresError(kind: .server, message: "x", sqlState: "23505")))
        // a setting of one's own session fools nobody else's
        try connection.query("SELECT set_config('procure.schema_digest', 'mine', false)")
        XCTAssertNil(try check(try migrator().digest))
    }

    func testANewMigrationOrSchemaFileMakesTheDatabaseStaleUntilMigrated() throws {
        let connection = try Connection(conninfo)
        try migrator().migrate(connection)
        try write("0003_third.sql", "CREATE TABLE third_table (id integer);")
        XCTAssertEqual(try check(try migrator().digest)?.sqlState, Migrator.staleSchemaState)
        try migrator().migrate(connection)
        XCTAssertNil(try check(try migrator().digest))
        let schemaFolder = folder.appendingPathComponent("schema")
        try FileManager.default.createDirectory(at: schemaFolder, withIntermediateDirectories: true)
        try "CREATE OR REPLACE VIEW v_first AS SELECT id FROM first_table;".write(
            to: schemaFolder.appendingPathComponent("01_views.sql"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try check(try migrator().digest)?.sqlState, Migrator.staleSchemaState)
        try migrator().migrate(connection)
        XCTAssertNil(try check(try migrator().digest), "migrations and the repeatable set")
        XCTAssertEqual(try migrator().migrate(connection), MigrationOutcome(versions: [], schemaApplied: false))
        XCTAssertNil(try check(try migrator().digest), "a run with nothing to do leaves the record as it was")
    }

    /// The digest is what the records hold: recomputed in SQL from `procure_migrations` and
    /// `procure_schema_files` after a migration run, it is the binary's.
    func testTheDigestIsTheRecordsDigest() throws {
        let connection = try Connection(conninfo)
        let schemaFolder = folder.appendingPathComponent("schema")
        try FileManager.default.createDirectory(at: schemaFolder, withIntermediateDirectories: true)
        for name in ["02_b.sql", "01_a.sql"] {
            try "SELECT 1;".write(to: schemaFolder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try migrator().migrate(connection)
        let fromRecords = try connection.query("""
            SELECT encode(sha256(convert_to(
                   coalesce((SELECT string_agg(format('migration %s %s %s', m.version, m.name, m.checksum), E'\n' ORDER BY m.version)
                               FROM public.procure_migrations m), '')
                   || E'\n' ||
                   coalesce((SELECT string_agg(format('schema %s %s %s', f.name, f.checksum, f.after_version), E'\n'
                                               ORDER BY f.name COLLATE "C") FROM public.procure_schema_files f), ''),
                   'UTF8')), 'hex') AS digest
            """).first?["digest"]
        XCTAssertEqual(fromRecords, try migrator().digest)
    }

}

/// Versions reported by migrators running on several threads.
private final class AppliedVersions: @unchecked Sendable {
    private let lock = NSLock()
    private var versions: [Int] = []

    func add(_ more: [Int]) {
        lock.lock()
        versions += more
        lock.unlock()
    }

    var all: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return versions
    }

}
