import Foundation
import Postgres

/// One `sql/NNNN_name.sql` file.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public var checksum: String { SHA256.hex(sql) }
}

public enum MigrationError: Error, CustomStringConvertible, Sendable {
    case folderMissing(String)
    case badFileName(String)
    case duplicateVersion(Int)
    case checksumMismatch(version: Int, name: String)
    case unknownApplied(version: Int, name: String)
    case failed(version: Int, name: String, error: PostgresError)

    public var description: String {
        switch self {
        case let .folderMissing(path):
            return "migrations folder not found: \(path) (set PROCURE_SQL_DIR to the project's sql/ folder)"
        case let .badFileName(file):
            return "migration file \(file) is not named NNNN_name.sql"
        case let .duplicateVersion(version):
            return "two migration files share version \(version)"
        case let .checksumMismatch(version, name):
            return "migration \(version) (\(name)) was changed after it was applied; applied migrations must never be edited, add a new one instead"
        case let .unknownApplied(version, name):
            return "the database has migration \(version) (\(name)) that this procure does not know: it is older than the database"
        case let .failed(version, name, error):
            return "migration \(version) (\(name)) failed: \(error.message)"
        }
    }
}

/// Applies `sql/` migrations exactly once each, in order, each in its own transaction,
/// recording version, name and checksum in `public.procure_migrations`.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Reads every `NNNN_name.sql` in the folder.
    public init(directory: URL) throws {
        let fileManager = FileManager.default
        guard let files = try? fileManager.contentsOfDirectory(atPath: directory.path) else {
            throw MigrationError.folderMissing(directory.path)
        }
        var found: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            if found.contains(where: { $0.version == version }) { throw MigrationError.duplicateVersion(version) }
            found.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations = found.sorted { $0.version < $1.version }
    }

    /// The project's `sql/` folder: `$PROCURE_SQL_DIR`, then `share/procure/sql` beside the
    /// executable's folder, then the source tree this binary was built from.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["PROCURE_SQL_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/procure/sql")
        if FileManager.default.fileExists(atPath: installed.path) { return installed }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql")
    }

    /// Applies what is missing; returns the versions applied now. Cheap when nothing is
    /// pending: one query and a local checksum of each file.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [Int] {
        try ensureTable(connection)
        let applied = try appliedChecksums(connection)
        try verify(applied)
        var done: [Int] = []
        for migration in migrations where applied[migration.version] == nil {
            if try apply(migration, connection) { done.append(migration.version) }
        }
        return done
    }

    /// Versions recorded as applied with their checksums.
    public func appliedChecksums(_ connection: Connection) throws -> [Int: (name: String, checksum: String)] {
        let rows = try connection.query("SELECT version, name, checksum FROM public.procure_migrations").rows
        var result: [Int: (name: String, checksum: String)] = [:]
        for row in rows {
            result[try row.decode(Int.self, "version")] = (try row.decode(String.self, "name"), try row.decode(String.self, "checksum"))
        }
        return result
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

    private func ensureTable(_ connection: Connection) throws {
        let exists = try connection.query("SELECT to_regclass('public.procure_migrations') IS NOT NULL AS present")
        if exists.first?["present"] == "t" { return }
        try connection.transaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock(8072411)")
            try connection.execute(script: """
                CREATE TABLE IF NOT EXISTS public.procure_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    applied_by text NOT NULL DEFAULT current_user
                );
                GRANT SELECT ON public.procure_migrations TO PUBLIC;
                """)
        }
    }

    /// Applies one migration under an advisory lock, so two processes migrating at once
    /// apply it once. Returns false when another process got there first.
    private func apply(_ migration: Migration, _ connection: Connection) throws -> Bool {
        do {
            return try connection.transaction { connection in
                try connection.query("SELECT pg_advisory_xact_lock(8072411)")
                let already = try connection.query("SELECT checksum FROM public.procure_migrations WHERE version = $1", [migration.version])
                if let row = already.first {
                    if row["checksum"] != migration.checksum {
                        throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
                    }
                    return false
                }
                try connection.execute(script: migration.sql)
                try connection.query(
                    "INSERT INTO public.procure_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [migration.version, migration.name, migration.checksum])
                return true
            }
        } catch let error as PostgresError {
            throw MigrationError.failed(version: migration.version, name: migration.name, error: error)
        }
    }
}
