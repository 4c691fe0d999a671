/// An error from libpq or the server.
///
/// `description` is short and generic; the server's detail and hint are in `debugDescription`.
/// Callers map errors to their own codes through `sqlState` and `constraintName`.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or was lost.
        case connection
        /// The server refused a statement.
        case server
        /// The client misused the API or got a value it could not decode.
        case client
    }

    public var kind: Kind
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraintName: String?
    public var severity: String?
    /// Where the error arose (PL/pgSQL call stack, `COPY t, line 5, column qty`).
    public var context: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraintName: String? = nil, severity: String? = nil, context: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
        self.severity = severity
        self.context = context
    }

    /// Serialization failure or deadlock: the transaction may succeed if run again.
    public var isRetryable: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// The server went away (admin shutdown, crash) or could not be reached.
    public var isConnectionLoss: Bool {
        if kind == .connection { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    public var description: String {
        message
    }

    public var debugDescription: String {
        var parts = ["PostgresError(\(kind)"]
        if let sqlState { parts.append("sqlState: \(sqlState)") }
        if let constraintName { parts.append("constraint: \(constraintName)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let context { parts.append("context: \(context)") }
        return parts.joined(separator: ", ") + ")"
    }
}
