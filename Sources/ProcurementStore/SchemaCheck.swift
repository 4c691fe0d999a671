import Postgres

/// Whether a database holds exactly this binary's SQL, asked inside a command's own first round
/// trip rather than by a query of its own before it. Every migration run ends by recording the
/// digest of the set it left in place as a setting of the database (`procure.schema_digest`,
/// `ALTER DATABASE … SET`), which every new session then carries; `public.procure_schema_is(digest)`
/// raises `PRS01` unless the session's setting is the binary's digest. No table is read, so the
/// check costs a new backend ~0.05 ms where reading the records cost ~0.7 ms. A client that gets
/// that error (or finds the function or the schema missing: a database never migrated, or
/// migrated by an older binary) migrates and runs the command again (`Session.transaction`);
/// the migration run reads the records and decides, as it always did.
extension Migrator {
    /// SQLSTATE of `public.procure_schema_is`'s refusal.
    public static let staleSchemaState = "PRS01"

    /// SHA-256 of one line per migration (`migration VERSION NAME CHECKSUM`, by version), a
    /// newline, and one line per repeatable file (`schema NAME CHECKSUM AFTER_VERSION`, by name
    /// bytewise): what `procure_migrations` and `procure_schema_files` hold once this set is
    /// applied.
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

    static let schemaCheckBody = """
        BEGIN
            IF pg_catalog.current_setting('procure.schema_digest', true) IS DISTINCT FROM p_digest THEN
                RAISE EXCEPTION 'the database''s schema is not the one this procure was built with: it must be migrated'
                    USING ERRCODE = 'PRS01';
            END IF;
        END
        """

    /// Makes the check what this binary expects (created, or replaced when its text differs) and
    /// records this set's digest as the database's setting, under the migrations' lock; run at
    /// the end of every migration run, which has just made the database hold this set. A role
    /// that may do neither (a user of a database whose owner migrates it) goes without: its
    /// sessions then migrate, finding nothing to do, as every start once did.
    func recordSchemaDigest(_ connection: Connection) throws {
        let state = try connection.query("""
            SELECT (SELECT p.prosrc FROM pg_catalog.pg_proc p WHERE p.oid = to_regprocedure('public.procure_schema_is(text)')) AS body,
                   (SELECT s FROM pg_catalog.pg_db_role_setting r, unnest(r.setconfig) s
                     WHERE r.setrole = 0 AND s LIKE 'procure.schema\\_digest=%'
                       AND r.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database())) AS recorded,
                   format('ALTER DATABASE %I SET procure.schema_digest = %L', current_database(), $1::text) AS record
            """, [digest]).first
        let bodyIsCurrent = state?["body"] == Self.schemaCheckBody
        let digestIsRecorded = state?["recorded"] == "procure.schema_digest=\(digest)"
        guard !bodyIsCurrent || !digestIsRecorded, let record = state?["record"] else { return }
        do {
            try connection.transaction { connection in
                try connection.query(Self.lockStatement)
                if !bodyIsCurrent {
                    try connection.execute(script: """
                        CREATE OR REPLACE FUNCTION public.procure_schema_is(p_digest text) RETURNS void
                        LANGUAGE plpgsql STABLE
                        SET search_path = pg_catalog, pg_temp
                        AS $check$\(Self.schemaCheckBody)$check$;
                        """)
                }
                if !digestIsRecorded { try connection.execute(script: record) }
            }
        } catch let error as PostgresError where error.code == .insufficientPrivilege {
            return
        }
    }
}
