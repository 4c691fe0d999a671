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

    /// The SQLSTATE as a `Code`, to compare with the named constants; nil for libpq's own errors.
    public var code: Code? {
        sqlState.map(Code.init(raw:))
    }

    /// Serialization failure or deadlock: the transaction may succeed if run again.
    public var isRetryable: Bool {
        code == .serializationFailure || code == .deadlockDetected
    }

    /// The server went away (admin shutdown, crash) or could not be reached.
    public var isConnectionLoss: Bool {
        if kind == .connection { return true }
        guard let code else { return false }
        return code.isInClass(of: .connectionException)
            || [.adminShutdown, .crashShutdown, .cannotConnectNow].contains(code)
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

extension PostgresError {
    /// A SQLSTATE (the server's five-character error code), with a named constant for each one
    /// procure looks at, so that code reads `.uniqueViolation` instead of `"23505"`. The names
    /// are PostgreSQL's condition names (Appendix A of its manual) in camel case.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let raw: String

        public init(raw: String) {
            self.raw = raw
        }

        public var description: String { raw }

        /// True when both codes are of the same class (their first two characters): every
        /// `22…` is a data exception, every `23…` an integrity constraint violation.
        public func isInClass(of other: Code) -> Bool {
            raw.utf8.prefix(2).elementsEqual(other.raw.utf8.prefix(2))
        }

        // Class 08: the connection.
        public static let connectionException = Code(raw: "08000")
        // Class 22: bad data.
        public static let dataException = Code(raw: "22000")
        public static let numericValueOutOfRange = Code(raw: "22003")
        public static let divisionByZero = Code(raw: "22012")
        public static let invalidParameterValue = Code(raw: "22023")
        public static let invalidTextRepresentation = Code(raw: "22P02")
        // Class 23: integrity constraints.
        public static let integrityConstraintViolation = Code(raw: "23000")
        public static let notNullViolation = Code(raw: "23502")
        public static let uniqueViolation = Code(raw: "23505")
        public static let checkViolation = Code(raw: "23514")
        // Class 40: the transaction must be run again.
        public static let serializationFailure = Code(raw: "40001")
        public static let deadlockDetected = Code(raw: "40P01")
        // Class 42: syntax, names and privileges.
        public static let insufficientPrivilege = Code(raw: "42501")
        public static let syntaxError = Code(raw: "42601")
        public static let undefinedTable = Code(raw: "42P01")
        public static let undefinedObject = Code(raw: "42704")
        // Class 55: the object is not in a state for the statement.
        public static let objectNotInPrerequisiteState = Code(raw: "55000")
        public static let lockNotAvailable = Code(raw: "55P03")
        // Class 57: the server stopped the session.
        public static let adminShutdown = Code(raw: "57P01")
        public static let crashShutdown = Code(raw: "57P02")
        public static let cannotConnectNow = Code(raw: "57P03")
        // Class P0: PL/pgSQL.
        public static let raiseException = Code(raw: "P0001")
        public static let noDataFound = Code(raw: "P0002")
    }
}
