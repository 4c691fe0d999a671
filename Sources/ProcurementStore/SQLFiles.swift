import Foundation
import ProcureSQL

/// One `sql/migrations/NNNN_name.sql` file: versioned, applied once.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public var checksum: String { SHA256.hex(sql) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// One `sql/schema/NN_area.sql` file: repeatable, applied again with the whole set whenever
/// the set changes.
public struct SchemaFile: Sendable, Equatable {
    /// The file name, such as `10_orders.sql`; it is what `procure_schema_files` records.
    public let name: String
    public let sql: String
    public var checksum: String { SHA256.hex(sql) }

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

extension Migrator {
    /// The SQL this procure runs: the folder `$PROCURE_SQL_DIR` names when it is set, else the
    /// files compiled into the binary, so an installed binary never depends on a checkout.
    public static func configured(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Migrator {
        if let explicit = environment["PROCURE_SQL_DIR"], !explicit.isEmpty {
            return try Migrator(directory: URL(fileURLWithPath: explicit, isDirectory: true))
        }
        return try embedded()
    }

    /// The files of `sql/migrations` and `sql/schema` as they were when the binary was built.
    /// A leading byte-order mark is dropped, as reading the folder drops it, so that both give
    /// the same text and checksums (PostgreSQL would not parse the mark either).
    public static func embedded() throws -> Migrator {
        try Migrator(files: EmbeddedSQL.files.map { file in
            guard file.text.unicodeScalars.first == "\u{FEFF}" else { return file }
            return (file.path, String(file.text.unicodeScalars.dropFirst()))
        })
    }

    /// Reads a folder laid out like the project's `sql/`: every `*.sql` file of `migrations/`
    /// (which must exist) and of `schema/` (missing means no repeatable files). Other files and
    /// folders, such as `tests/`, are not read.
    public init(directory: URL) throws {
        let migrationsFolder = directory.appendingPathComponent("migrations", isDirectory: true)
        guard let versioned = try? FileManager.default.contentsOfDirectory(atPath: migrationsFolder.path) else {
            throw MigrationError.folderMissing(migrationsFolder.path)
        }
        let schemaFolder = directory.appendingPathComponent("schema", isDirectory: true)
        let repeatable = (try? FileManager.default.contentsOfDirectory(atPath: schemaFolder.path)) ?? []
        var files: [(path: String, text: String)] = []
        for (folder, names) in [(migrationsFolder, versioned), (schemaFolder, repeatable)] {
            for name in names.sorted() where name.hasSuffix(".sql") {
                let url = folder.appendingPathComponent(name)
                let text = try Migrator.readUTF8(url.path) ?? String(contentsOf: url, encoding: .utf8)
                files.append((folder.lastPathComponent + "/" + name, text))
            }
        }
        try self.init(files: files)
    }

    /// Sorts `(path, text)` pairs with paths relative to `sql/` (`migrations/0001_baseline.sql`,
    /// `schema/10_orders.sql`) into versioned and repeatable files; other paths are ignored.
    public init(files: [(path: String, text: String)]) throws {
        var migrations: [Migration] = []
        var schema: [(number: Int, file: SchemaFile)] = []
        for (path, text) in files where path.hasSuffix(".sql") {
            let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let (folder, file) = (parts[0], parts[1])
            guard folder == "migrations" || folder == "schema" else { continue }
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let number = Int(stem[..<underscore]),
                  stem.index(after: underscore) < stem.endIndex
            else {
                throw MigrationError.badFileName(file)
            }
            if folder == "migrations" {
                if migrations.contains(where: { $0.version == number }) { throw MigrationError.duplicateVersion(number) }
                migrations.append(Migration(version: number, name: String(stem[stem.index(after: underscore)...]), sql: text))
            } else {
                schema.append((number, SchemaFile(name: file, sql: text)))
            }
        }
        // By number, then by name: name order for the usual fixed-width `NN_`, and `9_` still
        // before `10_`.
        self.init(
            migrations: migrations.sorted { $0.version < $1.version },
            schema: schema.sorted { ($0.number, $0.file.name) < ($1.number, $1.file.name) }.map(\.file))
    }

    /// A file's text with plain `open`/`read` (Foundation's `String(contentsOf:)` takes 2–3
    /// times as long). nil when that does not give exactly what `String(contentsOf:encoding:
    /// .utf8)` would — unreadable, not UTF-8, or starting with a byte-order mark — and the caller
    /// then uses Foundation, its result and its errors.
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
}
