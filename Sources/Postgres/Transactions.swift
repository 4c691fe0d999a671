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
    /// `first`, a statement to run before `body` (such as `set_config('role', $1, true)`),
    /// travels with the `BEGIN` in one round trip (`pipeline`).
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 8,
        first: (sql: String, parameters: [any PostgresEncodable])? = nil,
        _ body: (Connection) throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do {
                let begin = "BEGIN ISOLATION LEVEL \(isolation.rawValue)"
                if let first {
                    try pipeline([(begin, []), first])
                } else {
                    try execute(script: begin)
                }
                let value = try body(self)
                try execute(script: "COMMIT")
                return value
            } catch let error as PostgresError where error.isRetryable && attempt < maxAttempts {
                rollbackQuietly()
                backOff(attempt: attempt)
                attempt += 1
            } catch {
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
        guard isOpen else { return }
        try? execute(script: "ROLLBACK")
    }

    private func backOff(attempt: Int) {
        let base = min(200, 5 << min(attempt, 5))
        usleep(UInt32(Int.random(in: base / 2...base) * 1000))
    }
}
