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
    /// Records to write once the open transaction has rolled back (see `afterRollback`).
    private var pendingRecords: [(actor: String?, body: (DatabaseClient) throws -> Void)] = []

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
        let opened = try connect()
        if !migrated {
            try migrate(opened)
            migrated = true
        }
        let client = DatabaseClient.live(connection: opened)
        database = client
        return client
    }

    private func connect() throws -> Connection {
        switch target {
        case .conninfo(let conninfo):
            return try Connection(conninfo)
        case .embedded(let cluster):
            // Try first: starting costs a process or two, connecting to a running server doesn't.
            if let connection = try? Connection(cluster.conninfo()) { return connection }
            do {
                try cluster.start()
            } catch let error as ClusterError {
                throw ProcureError(.databaseUnavailable, error.description)
            }
            return try Connection(cluster.conninfo())
        }
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
    func transaction<T>(actor: String?, _ body: (DatabaseClient) throws -> T) throws -> T {
        let database = try client()
        depth += 1
        defer {
            depth -= 1
            if depth == 0 && !atomicBegun { writePendingRecords() }
        }
        if depth > 1 {
            // Nested: a savepoint, so a failed inner step (a refused price edit) leaves the
            // outer transaction usable.
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
        // `--as` travels with the BEGIN, in one round trip.
        return try database.transaction(actingAs: actor) { try body(database) }
    }

    /// Ends an `--atomic` batch: commits when every line succeeded, else rolls back.
    func finishAtomic(commit: Bool) throws {
        guard atomicBegun, let database else { return }
        atomicBegun = false
        defer { writePendingRecords() }
        try commit ? database.commit() : database.rollback()
    }

    /// Queues `body` (a record of a refused attempt) to be written in its own transaction once
    /// no transaction is open: the refusal's rollback must not take its record along, whether
    /// the refusal ran alone, inside a keyed line or inside an `--atomic` batch.
    func afterRollback(actor: String?, _ body: @escaping (DatabaseClient) throws -> Void) {
        pendingRecords.append((actor, body))
        if depth == 0 && !atomicBegun { writePendingRecords() }
    }

    /// Best effort: a record that cannot be written (the server went away) must not hide the
    /// refusal it records, which the caller reports either way.
    private func writePendingRecords() {
        let records = pendingRecords
        pendingRecords = []
        for record in records {
            guard let database = try? client() else { return }
            _ = try? database.transaction(actingAs: record.actor) { try record.body(database) }
        }
    }
}
