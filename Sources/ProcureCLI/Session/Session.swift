import EmbeddedPostgres
import Foundation
import Postgres
import ProcurementStore

/// One run of procure: one connection, reused by every line, opened on first need.
final class Session {
    let target: DatabaseTarget
    let atomic: Bool
    private var connection: Connection?
    private var migrated = false
    private var atomicBegun = false
    /// Depth of `transaction` calls: an inner one joins the outer (a keyed line wraps its verb).
    private var depth = 0
    /// Records to write once the open transaction has rolled back (see `afterRollback`).
    private var pendingRecords: [(actor: String?, body: (Store) throws -> Void)] = []

    init(target: DatabaseTarget, atomic: Bool) {
        self.target = target
        self.atomic = atomic
    }

    /// The store, connecting (and, for the embedded default, starting and migrating the
    /// cluster) when needed. A lost connection is reopened on the next line.
    func store() throws -> Store {
        if let connection, connection.isOpen {
            return Store(connection: connection)
        }
        if atomicBegun {
            throw ProcureError(.databaseUnavailable, "the connection was lost inside an --atomic batch; nothing was committed")
        }
        let opened = try connect()
        if !migrated {
            try migrate(opened)
            migrated = true
        }
        connection = opened
        return Store(connection: opened)
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
    func transaction<T>(actor: String?, _ body: (Store) throws -> T) throws -> T {
        let store = try store()
        depth += 1
        defer {
            depth -= 1
            if depth == 0 && !atomicBegun { writePendingRecords() }
        }
        if depth > 1 {
            // Nested: a savepoint, so a failed inner step (a refused price edit) leaves the
            // outer transaction usable.
            return try store.connection.savepoint("procure_inner_\(depth)") { _ in try body(store) }
        }
        if atomic {
            if !atomicBegun {
                try store.connection.execute(script: "BEGIN")
                atomicBegun = true
            }
            return try store.connection.savepoint { _ in
                try store.actAs(actor)
                return try body(store)
            }
        }
        // `--as` is set with the BEGIN in one round trip: the statement `Store.actAs` runs
        // (`SET LOCAL ROLE` as `set_config`, the name a parameter), pipelined.
        return try store.connection.transaction(first: Store.actAsStatement(actor)) { _ in
            try body(store)
        }
    }

    /// Ends an `--atomic` batch: commits when every line succeeded, else rolls back.
    func finishAtomic(commit: Bool) throws {
        guard atomicBegun, let connection else { return }
        atomicBegun = false
        defer { writePendingRecords() }
        try connection.execute(script: commit ? "COMMIT" : "ROLLBACK")
    }

    /// Queues `body` (a record of a refused attempt) to be written in its own transaction once
    /// no transaction is open: the refusal's rollback must not take its record along, whether
    /// the refusal ran alone, inside a keyed line or inside an `--atomic` batch.
    func afterRollback(actor: String?, _ body: @escaping (Store) throws -> Void) {
        pendingRecords.append((actor, body))
        if depth == 0 && !atomicBegun { writePendingRecords() }
    }

    /// Best effort: a record that cannot be written (the server went away) must not hide the
    /// refusal it records, which the caller reports either way.
    private func writePendingRecords() {
        let records = pendingRecords
        pendingRecords = []
        for record in records {
            guard let store = try? store() else { return }
            _ = try? store.connection.transaction(first: Store.actAsStatement(record.actor)) { _ in
                try record.body(store)
            }
        }
    }
}
