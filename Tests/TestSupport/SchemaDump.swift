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

    /// The dump split into its entries (`-- Name: …; Type: …` headers), so two databases can be
    /// compared object by object. Grant lines are sorted within an entry: their order follows
    /// the order the grants were made in, which says nothing about the schema.
    public static func entries(of conninfo: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for piece in try text(of: conninfo).components(separatedBy: "\n--\n-- ").dropFirst() {
            guard let headerEnd = piece.range(of: "\n--\n") else { continue }
            let header = String(piece[..<headerEnd.lowerBound])
            var body = String(piece[headerEnd.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
            if header.contains("Type: ACL;") {
                body = body.split(separator: "\n").sorted().joined(separator: "\n")
            }
            result[header] = body
        }
        return result
    }
}
