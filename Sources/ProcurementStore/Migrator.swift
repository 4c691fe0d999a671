import Foundation
import Postgres

public enum MigrationError: Error, CustomStringConvertible, Sendable {
    case folderMissing(String)
    case badFileName(String)
    case duplicateVersion(Int)
    case checksumMismatch(version: Int, name: String)
    case unknownApplied(version: Int, name: String)
    case failed(version: Int, name: String, error: PostgresError)
    case schemaFailed(name: String, error: PostgresError)

    public var description: String {
        switch self {
        case let .folderMissing(path):
            return "SQL folder not found: \(path) (PROCURE_SQL_DIR must name a folder holding migrations/ and schema/)"
        case let .badFileName(file):
            return "SQL file \(file) is not named NNNN_name.sql"
        case let .duplicateVersion(version):
            return "two migration files share version \(version)"
        case let .checksumMismatch(version, name):
            return "migration \(version) (\(name)) was changed after it was applied; applied migrations must never be edited, add a new one instead"
        case let .unknownApplied(version, name):
            return "the database has migration \(version) (\(name)) that this procure does not know: it is older than the database"
        case let .failed(version, name, error):
            return "migration \(version) (\(name)) failed: \(error.message)"
        case let .schemaFailed(name, error):
            return "schema file \(name) failed: \(error.message); the previous schema set is still in place"
        }
    }
}

/// What one `migrate` call did.
public struct MigrationOutcome: Sendable, Equatable {
    /// Versioned migrations applied by this call, in order.
    public var versions: [Int]
    /// Whether this call applied the repeatable set.
    public var schemaApplied: Bool

    public init(versions: [Int], schemaApplied: Bool) {
        self.versions = versions
        self.schemaApplied = schemaApplied
    }
}

/// What the database records of earlier migrations.
public struct MigrationRecords: Sendable {
    /// `public.procure_migrations`: version → (name, checksum).
    public var versions: [Int: (name: String, checksum: String)] = [:]
    /// `public.procure_schema_files`: file name → checksum.
    public var schemaFiles: [String: String] = [:]
    /// The highest versioned migration that had been applied when the set was last applied.
    public var schemaAfterVersion: Int?
}

/// Brings a database to the SQL of `migrations` and `schema`.
///
/// Versioned migrations are applied exactly once each, in order, each in its own transaction,
/// and recorded with their checksum in `public.procure_migrations`; an applied one whose text
/// changed is an error. Then the repeatable set is applied again — every file, in order, in one
/// transaction — when it differs from the set recorded in `public.procure_schema_files` (a file
/// changed, added or removed), and also after new versioned migrations, since one of them may
/// have dropped or changed what a view or function of the set was built on. The Migrator itself
/// drops nothing: the set starts with a file that resets what the rest re-creates.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    public let schema: [SchemaFile]

    public init(migrations: [Migration], schema: [SchemaFile] = []) {
        self.migrations = migrations
        self.schema = schema
    }

    /// One transaction-scoped advisory lock serialises every step of every migrating process.
    static let lockStatement = "SELECT pg_advisory_xact_lock(8072411)"

    /// Applies what is missing. Cheap when nothing changed, which is every start but the first
    /// after an upgrade: one query reads both records (no separate "do the tables exist" round
    /// trip), and the files are compared by a local SHA-256 (libcrypto's when loaded, see
    /// `SHA256`). Call it outside a transaction: a database without the tables answers the first
    /// query with an error.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> MigrationOutcome {
        let records: MigrationRecords
        do {
            records = try self.records(connection)
        } catch let error as PostgresError where error.code == .undefinedTable {
            // undefined_table: a database procure has never migrated.
            try ensureTables(connection)
            records = try self.records(connection)
        }
        try verify(records.versions)
        var done: [Int] = []
        for migration in migrations where records.versions[migration.version] == nil {
            if try apply(migration, connection) { done.append(migration.version) }
        }
        var schemaApplied = false
        if (!done.isEmpty && !schema.isEmpty) || schemaIsStale(records.schemaFiles, after: records.schemaAfterVersion) {
            schemaApplied = try applySchema(connection)
        }
        try recordSchemaDigest(connection)
        return MigrationOutcome(versions: done, schemaApplied: schemaApplied)
    }

    /// Both records in one query.
    public func records(_ connection: Connection) throws -> MigrationRecords {
        let rows = try connection.query("""
            SELECT 'version' AS kind, version, name, checksum FROM public.procure_migrations
            UNION ALL
            SELECT 'schema', after_version, name, checksum FROM public.procure_schema_files
            """).rows
        var records = MigrationRecords()
        for row in rows {
            let version = try row.decode(Int.self, "version")
            let name = try row.decode(String.self, "name")
            let checksum = try row.decode(String.self, "checksum")
            if row["kind"] == "version" {
                records.versions[version] = (name, checksum)
            } else {
                records.schemaFiles[name] = checksum
                records.schemaAfterVersion = version
            }
        }
        return records
    }

    /// Versions recorded as applied with their checksums.
    public func appliedChecksums(_ connection: Connection) throws -> [Int: (name: String, checksum: String)] {
        try records(connection).versions
    }

    /// The repeatable set as `procure_schema_files` would record it.
    var schemaChecksums: [String: String] {
        Dictionary(schema.map { ($0.name, $0.checksum) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether the set must be applied, given what was recorded: a file changed, added or
    /// removed, or versioned migrations were applied since (by a process that stopped before
    /// applying the set).
    private func schemaIsStale(_ recorded: [String: String], after recordedVersion: Int?) -> Bool {
        if recorded != schemaChecksums { return true }
        return !schema.isEmpty && recordedVersion != (migrations.map(\.version).max() ?? 0)
    }

    private func verify(_ applied: [Int: (name: String, checksum: String)]) throws {
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError.unknownApplied(version: version, name: record.name)
            }
            if migration.checksum != record.checksum {
                throw MigrationError.checksumMismatch(version: version, name: migration.name)
            }
        }
    }

    private func ensureTables(_ connection: Connection) throws {
        try connection.transaction { connection in
            try connection.query(Self.lockStatement)
            try connection.execute(script: """
                CREATE TABLE IF NOT EXISTS public.procure_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text NOT NULL DEFAULT current_user
                );
                GRANT SELECT ON public.procure_migrations TO PUBLIC;
                CREATE TABLE IF NOT EXISTS public.procure_schema_files (
                    name text PRIMARY KEY,
                    checksum text NOT NULL,
                    after_version integer NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text NOT NULL DEFAULT current_user
                );
                GRANT SELECT ON public.procure_schema_files TO PUBLIC;
                """)
        }
    }

    /// Applies one migration under the advisory lock, so two processes migrating at once
    /// apply it once. Returns false when another process got there first.
    private func apply(_ migration: Migration, _ connection: Connection) throws -> Bool {
        do {
            return try connection.transaction { connection in
                try connection.query(Self.lockStatement)
                let already = try connection.query("SELECT checksum FROM public.procure_migrations WHERE version = $1", [migration.version])
                if let row = already.first {
                    if row["checksum"] != migration.checksum {
                        throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
                    }
                    return false
                }
                try connection.execute(script: migration.sql)
                // a migration creates its objects as the schema's owner (SET LOCAL ROLE)
                try connection.execute(script: "RESET ROLE")
                try connection.query(
                    "INSERT INTO public.procure_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
                return true
            }
        } catch let error as PostgresError {
            throw MigrationError.failed(version: migration.version, name: migration.name, error: error)
        }
    }

    /// Applies the whole repeatable set and replaces its record, in one transaction under the
    /// advisory lock: a file that fails leaves the previous definitions and record as they were.
    /// Returns false when, once the lock is held, the set turns out current (another process
    /// applied it meanwhile).
    private func applySchema(_ connection: Connection) throws -> Bool {
        try connection.transaction { connection in
            try connection.query(Self.lockStatement)
            let rows = try connection.query("SELECT name, checksum, after_version FROM public.procure_schema_files").rows
            let recorded = Dictionary(try rows.map { (try $0.decode(String.self, "name"), try $0.decode(String.self, "checksum")) },
                                      uniquingKeysWith: { first, _ in first })
            let latest = try connection.query("SELECT coalesce(max(version), 0) AS latest FROM public.procure_migrations")
                .first?.decode(Int.self, "latest") ?? 0
            let after = try rows.first?.decode(Int.self, "after_version")
            if recorded == schemaChecksums && (schema.isEmpty || after == latest) { return false }
            for file in schema {
                do {
                    try connection.execute(script: file.sql)
                } catch let error as PostgresError where !error.isRetryable {
                    throw MigrationError.schemaFailed(name: file.name, error: error)
                }
            }
            try connection.execute(script: "RESET ROLE")
            try connection.execute(script: "DELETE FROM public.procure_schema_files")
            for file in schema {
                try connection.query(
                    "INSERT INTO public.procure_schema_files (name, checksum, after_version) VALUES ($1, $2, $3)",
                    [file.name, file.checksum, latest])
            }
            return true
        }
    }
}
