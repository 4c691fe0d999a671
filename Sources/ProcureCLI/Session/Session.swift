import EmbeddedPostgres
import Foundation
import Postgres
import ProcurementStore

/// One run of procure: one connection, reused by every line, opened on first need.
final class Session {
    let target: DatabaseTarget
    let atomic: Bool
    /// The client of the one connection, every line's way to the database.
    private var database: DatabaseClient?
    /// The connection under `database`, for migrating on it.
    private var connection: Connection?
    /// Whether this session knows the schema is this binary's (a transaction passed the check,
    /// or the session migrated).
    private var schemaChecked = false
    private var configuredMigrator: Migrator?
    private var digest: String?
    private var atomicBegun = false
    /// Depth of `transaction` calls: an inner one joins the outer (a keyed line wraps its verb).
    private var depth = 0

    init(target: DatabaseTarget, atomic: Bool) {
        self.target = target
        self.atomic = atomic
    }

    /// The database client, connecting (and, for the embedded default, starting and migrating
    /// the cluster) when needed. A lost connection is reopened on the next line. Whether the
    /// schema is this binary's is asked by the first transaction (`transaction`), except under
    /// `--atomic`, whose one transaction must not be the one that finds out: it migrates first.
    func client() throws -> DatabaseClient {
        if let database, database.isConnected() {
            return database
        }
        if atomicBegun {
            throw ProcureError(.databaseUnavailable, "the connection was lost inside an --atomic batch; nothing was committed")
        }
        let opened: Connection
        switch target {
        case .conninfo(let conninfo):
            opened = try Connection(conninfo)
        case .embedded(let cluster):
            opened = try connectEmbedded(cluster)
        }
        connection = opened
        let client = DatabaseClient.live(connection: opened)
        database = client
        if atomic && !schemaChecked { try bringSchemaUpToDate() }
        return client
    }

    /// The client, the schema brought up to this binary's first (`db start`, `db migrate`).
    func clientWithCurrentSchema() throws -> DatabaseClient {
        let database = try client()
        if !schemaChecked { try bringSchemaUpToDate() }
        return database
    }

    /// Everyday commands on the embedded cluster connect as `procure_cli`, which is neither the
    /// schema's owner nor a superuser; the superuser `postgres` only starts, creates and
    /// migrates the cluster (`migrateEmbedded`), on the first start and after an upgrade.
    private func connectEmbedded(_ cluster: EmbeddedCluster) throws -> Connection {
        if let connection = try? Connection(cluster.conninfo(user: EmbeddedCluster.everydayRole)) {
            return connection
        }
        // Not running, or not created yet.
        try migrateEmbedded(cluster)
        return try Connection(cluster.conninfo(user: EmbeddedCluster.everydayRole))
    }

    /// Migrates as the superuser, starting the cluster first when it does not answer. Try
    /// first: starting costs a process or two, connecting to a running server doesn't.
    private func migrateEmbedded(_ cluster: EmbeddedCluster) throws {
        let superuser: Connection
        if let connection = try? Connection(cluster.conninfo()) {
            superuser = connection
        } else {
            do {
                try cluster.start()
            } catch let error as ClusterError {
                throw ProcureError(.databaseUnavailable, error.description)
            }
            superuser = try Connection(cluster.conninfo())
        }
        try migrate(superuser)
        schemaChecked = true
    }

    /// Migrates: on the session's own connection to a database named by `--db`, as the embedded
    /// cluster's superuser otherwise (the everyday connection stays as it is).
    private func bringSchemaUpToDate() throws {
        switch target {
        case .conninfo:
            guard let connection else { throw ProcureError(.databaseUnavailable, "not connected") }
            try migrate(connection)
            schemaChecked = true
        case .embedded(let cluster):
            try migrateEmbedded(cluster)
        }
    }

    func migrate(_ connection: Connection) throws {
        do {
            try migrator().migrate(connection)
        } catch let error as MigrationError {
            throw ProcureError(.internalError, error.description)
        }
    }

    /// The SQL this binary runs (`Migrator.configured`), read once.
    private func migrator() throws -> Migrator {
        if let configuredMigrator { return configuredMigrator }
        do {
            let configured = try Migrator.configured()
            configuredMigrator = configured
            return configured
        } catch let error as MigrationError {
            throw ProcureError(.internalError, error.description)
        }
    }

    /// The digest the first transaction checks the database's schema against.
    private func schemaDigest() throws -> String {
        if let digest { return digest }
        let computed = try migrator().digest
        digest = computed
        return computed
    }

    /// Runs `body` as one unit: its own transaction (retried on serialization failures), or
    /// a savepoint of the batch's single transaction under `--atomic`. `actor` is `--as`.
    /// `oneCall`: the body makes one database call, so that a transaction of its own is one
    /// round trip (BEGIN, the acting user, the call, COMMIT).
    func transaction<T>(actor: String?, oneCall: Bool = false, _ body: (DatabaseClient) throws -> T) throws -> T {
        let database = try client()
        depth += 1
        defer { depth -= 1 }
        if depth > 1 {
            // Nested: a savepoint, so a failed inner step leaves the outer transaction usable.
            return try database.savepoint(named: "procure_inner_\(depth)") { try body(database) }
        }
        if atomic {
            if !atomicBegun {
                try database.begin()
                atomicBegun = true
            }
            return try database.savepoint(named: "procure_line") {
                try database.actAs(actor)
                return try body(database)
            }
        }
        // `--as` travels with the BEGIN and the first call, in one round trip, and so does the
        // schema check until a transaction has passed it: a stale (or never migrated) database
        // runs nothing of the line, is migrated, and the line runs again.
        guard !schemaChecked else {
            return try database.transaction(actingAs: actor, oneCall: oneCall) { try body(database) }
        }
        do {
            let value = try database.transaction(actingAs: actor, checkingSchema: try schemaDigest(), oneCall: oneCall) {
                try body(database)
            }
            schemaChecked = true
            return value
        } catch let error as PostgresError where Migrator.isStaleSchema(error) {
            try bringSchemaUpToDate()
            let migrated = try client()
            return try migrated.transaction(actingAs: actor, oneCall: oneCall) { try body(migrated) }
        }
    }

    /// Ends an `--atomic` batch: commits when every line succeeded, else rolls back.
    func finishAtomic(commit: Bool) throws {
        guard atomicBegun, let database else { return }
        atomicBegun = false
        try commit ? database.commit() : database.rollback()
    }
}
