import EmbeddedPostgres
import Foundation
import Postgres
import ProcessSupport

/// `pg_dump --schema-only` of a database, for tests that compare two schemas.
public enum SchemaDump {
    /// The dump's text, the database's name replaced by `DB`. Recent pg_dump versions fence the
    /// script with `\restrict KEY` … `\unrestrict KEY`, a random key per dump: those lines go.
    public static func text(of conninfo: String) throws -> String {
        guard let pgDump = try ServerBinaries.locate().clientTool("pg_dump") else {
            throw TestSupportError("pg_dump not found (looked next to the server, in /usr/lib/postgresql and on PATH)")
        }
        let name = try Connection(conninfo).query("SELECT current_database() AS name").first?["name"] ?? ""
        let run = try SpawnedProcess.run([pgDump, "--schema-only", "-d", conninfo])
        guard run.status == 0 else { throw TestSupportError("pg_dump failed: \(run.stderr)") }
        return run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict ") && !$0.hasPrefix("\\unrestrict ") }
            .joined(separator: "\n")
            .replacingOccurrences(of: name, with: "DB")
    }
}
