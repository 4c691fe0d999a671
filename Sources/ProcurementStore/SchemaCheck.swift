import Postgres

/// Whether a database holds exactly this binary's SQL, asked inside a command's own first round
/// trip rather than by a query of its own before it: `public.procure_schema_is(digest)` raises
/// `stale schema` unless the migrations and the repeatable set recorded in the database are
/// those whose digest the binary computes. A client that gets that error (or finds the function
/// or the schema missing: a database never migrated, or migrated by an older binary) migrates
/// and runs the command again (`Session.transaction`).
extension Migrator {
    /// SQLSTATE of `public.procure_schema_is`'s refusal.
    public static let staleSchemaState = "PRS01"

    /// SHA-256 of one line per migration (`migration VERSION NAME CHECKSUM`, by version), a
    /// newline, and one line per repeatable file (`schema NAME CHECKSUM AFTER_VERSION`, by name
    /// bytewise) as `procure_migrations` and `procure_schema_files` hold them once this set is
    /// applied; the function computes the same from the tables.
    public var digest: String {
        let latest = migrations.map(\.version).max() ?? 0
        let versioned = migrations.sorted { $0.version < $1.version }
            .map { "migration \($0.version) \($0.name) \($0.checksum)" }
        let repeatable = schema.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
            .map { "schema \($0.name) \($0.checksum) \(latest)" }
        return SHA256.hex(versioned.joined(separator: "\n") + "\n" + repeatable.joined(separator: "\n"))
    }

    /// Whether `error`, from a statement that began with the schema check, means that the
    /// database must be migrated first: the check refused, or the check (or what followed it)
    /// is not there at all.
    public static func isStaleSchema(_ error: PostgresError) -> Bool {
        [staleSchemaState, "42883", "42P01", "3F000"].contains(error.sqlState ?? "")
    }

    /// Created by every migration run that finds it missing, so that a database migrated before
    /// it existed gets it too.
    static let schemaCheckFunction = """
        CREATE OR REPLACE FUNCTION public.procure_schema_is(p_digest text) RETURNS void
        LANGUAGE plpgsql STABLE
        SET search_path = pg_catalog, pg_temp
        AS $check$
        BEGIN
            IF p_digest IS DISTINCT FROM (SELECT encode(sha256(convert_to(
                   coalesce((SELECT string_agg(format('migration %s %s %s', m.version, m.name, m.checksum), E'\\n' ORDER BY m.version)
                               FROM public.procure_migrations m), '')
                   || E'\\n' ||
                   coalesce((SELECT string_agg(format('schema %s %s %s', f.name, f.checksum, f.after_version), E'\\n'
                                               ORDER BY f.name COLLATE "C")
                               FROM public.procure_schema_files f), ''), 'UTF8')), 'hex')) THEN
                RAISE EXCEPTION 'the database''s schema is not the one this procure was built with: it must be migrated'
                    USING ERRCODE = 'PRS01';
            END IF;
        END
        $check$;
        """

    /// Creates the check when the database has none, under the migrations' lock. (A changed
    /// check would be a new function: an older binary still calls this one.) A role that may
    /// not create it (a user on a database migrated before it existed) goes without: each of its
    /// sessions then migrates, which finds nothing to do, as every start once did.
    func ensureSchemaCheck(_ connection: Connection) throws {
        let present = try connection.query("SELECT to_regprocedure('public.procure_schema_is(text)') IS NOT NULL AS present")
        if present.first?["present"] == "t" { return }
        do {
            try connection.transaction { connection in
                try connection.query(Self.lockStatement)
                try connection.execute(script: Self.schemaCheckFunction)
            }
        } catch let error as PostgresError where error.code == .insufficientPrivilege {
            return
        }
    }
}
