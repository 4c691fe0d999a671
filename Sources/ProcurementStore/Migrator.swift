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
            let url = directory.appendingPathComponent(file)
            let sql = try Migrator.readUTF8(url.path) ?? String(contentsOf: url, encoding: .utf8)
            if found.contains(where: { $0.version == version }) { throw MigrationError.duplicateVersion(version) }
            found.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations = found.sorted { $0.version < $1.version }
    }

    /// A file's text with plain `open`/`read` (every start reads all of `sql/`; Foundation's
    /// `String(contentsOf:)` took 2–3 times as long). nil when that does not give exactly what
    /// `String(contentsOf:encoding: .utf8)` would — unreadable, not UTF-8, or starting with a
    /// byte-order mark — and the caller then uses Foundation, its result and its errors.
    static func readUTF8(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return nil }
        return String(validating: bytes, as: UTF8.self)
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
    /// pending, which is every start but the first: one query (no separate "does the table
    /// exist" round trip) and a local SHA-256 of each file (libcrypto's when loaded, see
    /// `SHA256`). Call it outside a transaction: a database without the table answers the
    /// first query with an error.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [Int] {
        let applied: [Int: (name: String, checksum: String)]
        do {
            applied = try appliedChecksums(connection)
        } catch let error as PostgresError where error.sqlState == "42P01" {
            // undefined_table: a database procure has never migrated.
            try ensureTable(connection)
            applied = try appliedChecksums(connection)
        }
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
