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
    private var migrated = false
    private var atomicBegun = false
    /// Depth of `transaction` calls: an inner one joins the outer (a keyed line wraps its verb).
    private var depth = 0

    init(target: DatabaseTarget, atomic: Bool) {
        self.target = target
        self.atomic = atomic
    }

    /// The database client, connecting (and, for the embedded default, starting and migrating
    /// the cluster) when needed. A lost connection is reopened on the next line.
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
            if !migrated {
                try migrate(opened)
                migrated = true
            }
        case .embedded(let cluster):
            opened = try connectEmbedded(cluster)
        }
        let client = DatabaseClient.live(connection: opened)
        database = client
        return client
    }

    /// Everyday commands on the embedded cluster connect as `procure_cli`, which is neither the
    /// schema's owner nor a superuser; the superuser `postgres` only starts, creates and
    /// migrates the cluster. On every start but the first after an upgrade that is one
    /// connection and one query, as before.
    private func connectEmbedded(_ cluster: EmbeddedCluster) throws -> Connection {
        let everyday = { try Connection(cluster.conninfo(user: EmbeddedCluster.everydayRole)) }
        if let connection = try? everyday() {
            if migrated { return connection }
            if (try? Migrator.configured().isCurrent(connection)) == true {
                migrated = true
                return connection
            }
        }
        // Not running, not created yet, or its schema behind this binary's: as the superuser.
        // Try first: starting costs a process or two, connecting to a running server doesn't.
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
        migrated = true
        return try everyday()
    }

    func migrate(_ connection: Connection) throws {
        do {
            let migrator = try Migrator.configured()
            try migrator.migrate(connection)
        } catch let error as MigrationError {
            throw ProcureError(.internalError, error.description)
        }
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
        // `--as` travels with the BEGIN and the first call, in one round trip.
        return try database.transaction(actingAs: actor, oneCall: oneCall) { try body(database) }
    }

    /// Ends an `--atomic` batch: commits when every line succeeded, else rolls back.
    func finishAtomic(commit: Bool) throws {
        guard atomicBegun, let database else { return }
        atomicBegun = false
        try commit ? database.commit() : database.rollback()
    }
}
