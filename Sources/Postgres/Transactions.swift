import Foundation

public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension Connection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// A serialization failure or deadlock (40001, 40P01) reruns the whole body, up to
    /// `maxAttempts` times with a short randomised back-off, so the body must not have side
    /// effects outside the database. The last such error is rethrown when retries run out.
    ///
    /// `BEGIN` and `first`, a statement to run before `body` (such as `set_config('role', $1,
    /// true)`), travel with the body's first statement in one round trip. With `oneStatement`
    /// the body runs exactly one statement, and `COMMIT` travels with it too: the whole
    /// transaction is one round trip (a second statement is refused).
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 8,
        first: Statement? = nil,
        oneStatement: Bool = false,
        _ body: (Connection) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do {
                let begin: Statement = ("BEGIN ISOLATION LEVEL \(isolation.rawValue)", [])
                deferUntilNext([begin] + (first.map { [$0] } ?? []), commitAfterIt: oneStatement)
                let value = try body(self)
                try commitDeferred()
                return value
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts {
                clearDeferred()
                rollbackQuietly()
                backOff(attempt: attempt)
                attempt += 1
            } catch {
                clearDeferred()
                rollbackQuietly()
                throw error
            }
        }
    }

    /// Runs `body` inside a savepoint of the current transaction; rolls back to it on throw.
    public func savepoint<T>(_ name: String = "procure_line", _ body: (Connection) throws -> T) throws -> T {
        try execute(script: "SAVEPOINT \(name)")
        do {
            let value = try body(self)
            try execute(script: "RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            try? execute(script: "ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }

    func rollbackQuietly() {
        guard isOpen, inTransaction else { return }
        try? execute(script: "ROLLBACK")
    }

    private func backOff(attempt: Int) {
        let base = min(200, 5 << min(attempt, 5))
        usleep(UInt32(Int.random(in: base / 2...base) * 1000))
    }
}
