import Postgres

/// The stable error codes users and scripts see. Scripts and tests match on the raw value.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidArgument = "invalid_argument"
    case notFound = "not_found"
    case priceAboveBase = "price_above_base"
    case priceBelowLimit = "price_below_limit"
    case noBasePrice = "no_base_price"
    case orderLimitExceeded = "order_limit_exceeded"
    case invalidState = "invalid_state"
    case alreadyRevoked = "already_revoked"
    case permissionDenied = "permission_denied"
    case claimWindowClosed = "claim_window_closed"
    case conflict
    case databaseUnavailable = "database_unavailable"
    /// Not a user mistake: a bug or an unexpected server condition. The message says more.
    case internalError = "internal_error"
}

/// What a failed command reports: a stable code and a message for people.
///
/// `description` is the code and the message, as users see them; `debugDescription` adds the
/// database error the code was mapped from (SQLSTATE, constraint, detail, hint, context).
public struct ProcureError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let code: ErrorCode
    public let message: String
    /// The database error this one was mapped from, if any.
    public let underlying: PostgresError?

    public init(_ code: ErrorCode, _ message: String) {
        self.init(code, message, underlying: nil)
    }

    private init(_ code: ErrorCode, _ message: String, underlying: PostgresError?) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public var debugDescription: String {
        var text = "ProcureError(code: \(code.rawValue), message: \(message)"
        if let underlying { text += ", underlying: \(underlying.debugDescription)" }
        return text + ")"
    }

    /// Maps a PostgreSQL error to a stable code: by constraint name first (the database raises
    /// rule violations with the code as the constraint name), then by SQLSTATE. This is the one
    /// place where SQLSTATEs become procure's codes.
    public init(_ error: PostgresError) {
        let message = error.detail.map { "\(error.message) (\($0))" } ?? error.message
        if let name = error.constraintName, let code = ErrorCode(rawValue: name) {
            self.init(code, error.message, underlying: error)
            return
        }
        if error.isConnectionLoss {
            self.init(.databaseUnavailable, "database unavailable: \(error.message)", underlying: error)
            return
        }
        switch error.code {
        case .serializationFailure?, .deadlockDetected?, .lockNotAvailable?:
            self.init(.conflict, "the database kept reporting conflicting updates; try again (\(error.message))", underlying: error)
        case .insufficientPrivilege?:
            self.init(.permissionDenied, message, underlying: error)
        case .noDataFound?, .undefinedObject?:
            self.init(.notFound, message, underlying: error)
        case .uniqueViolation? where error.constraintName == "idempotency_keys_pkey":
            self.init(.conflict, message, underlying: error)
        case let code? where code.isInClass(of: .dataException) || code.isInClass(of: .integrityConstraintViolation)
            || code == .raiseException:
            self.init(.invalidArgument, message, underlying: error)
        default:
            self.init(.internalError, error.debugDescription, underlying: error)
        }
    }

    /// A `COPY` of `file` that failed: the server refusing a row is the file's fault (the
    /// message names the row and column), anything else is the connection's.
    public init(copying file: String, _ error: PostgresError) {
        self.init(error.kind == .server ? .invalidArgument : .databaseUnavailable,
                  "\(file): \(error.message)\(error.context.map { " (\($0))" } ?? "")", underlying: error)
    }
}
