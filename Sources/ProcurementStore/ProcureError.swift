import Postgres

/// The stable error codes of SPEC §6. Scripts and tests match on the raw value.
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
public struct ProcureError: Error, Sendable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Maps a PostgreSQL error to a stable code: by constraint name first (the database raises
    /// rule violations with the code as the constraint name), then by SQLSTATE class.
    public init(_ error: PostgresError) {
        let message = error.detail.map { "\(error.message) (\($0))" } ?? error.message
        if let name = error.constraintName, let code = ErrorCode(rawValue: name) {
            self.init(code, error.message)
            return
        }
        if error.isConnectionLoss {
            self.init(.databaseUnavailable, "database unavailable: \(error.message)")
            return
        }
        let state = error.sqlState ?? ""
        switch state {
        case "40001", "40P01", "55P03":
            self.init(.conflict, "the database kept reporting conflicting updates; try again (\(error.message))")
        case "42501":
            self.init(.permissionDenied, message)
        case "P0002", "42704":
            self.init(.notFound, message)
        case "23505" where error.constraintName == "idempotency_keys_pkey":
            self.init(.conflict, message)
        case _ where state.hasPrefix("22") || state.hasPrefix("23") || state == "P0001":
            self.init(.invalidArgument, message)
        default:
            self.init(.internalError, error.debugDescription)
        }
    }
}
