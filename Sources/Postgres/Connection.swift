import CLibPQ
import Foundation

/// One libpq connection.
///
/// Not `Sendable`: a connection is used by one thread at a time, and the compiler keeps it so.
public final class Connection {
    public typealias Statement = (sql: String, parameters: [any PostgresEncodable])

    private var handle: OpaquePointer?
    /// Statements that travel with the next one, in its round trip (a transaction's `BEGIN`
    /// and first statement: `transaction`).
    private var deferred: [Statement] = []
    /// Set by a one-statement `transaction`: its statement is followed by `COMMIT` in the same
    /// round trip, after which the transaction is over.
    private var commitsAfterNext = false
    private(set) var committedEarly = false
    /// Transactions of the lines after this one, sent before their turn (`ReadAhead.swift`).
    var readAhead = ReadAhead()

    /// Connects with a libpq connection string or URL. An empty string uses libpq's own
    /// defaults (`PGHOST`, `PGDATABASE`, service file, …).
    public init(_ conninfo: String) throws {
        let pointer = PQconnectdb(conninfo)
        guard let pointer, PQstatus(pointer) == CONNECTION_OK else {
            let message = pointer.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let pointer { PQfinish(pointer) }
            throw PostgresError(kind: .connection, message: Connection.trimmed(message))
        }
        handle = pointer
        // Notices (e.g. "relation already exists, skipping") go nowhere instead of stderr.
        PQsetNoticeProcessor(pointer, { _, _ in }, nil)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether a transaction is open (or failed and not yet rolled back), as libpq last heard.
    public var inTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's process id: handy for cancelling or terminating this session.
    public var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    /// Runs one parameterised statement. Parameters travel separately from the SQL text
    /// (`PQexecParams`), so values are never spliced into SQL.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> QueryResult {
        if committedEarly {
            throw PostgresError(kind: .connection, message: "a one-statement transaction ran a second statement")
        }
        if !deferred.isEmpty || commitsAfterNext {
            return try sendingDeferred(with: (sql, parameters))
        }
        try beforeOwnRoundTrip()
        let handle = try openHandle()
        let texts = parameters.map { $0.postgresText }
        let result = withCStrings(texts) { pointers in
            PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs parameterised statements in one round trip (libpq pipeline mode: every statement
    /// is sent, then one Sync, then the results are read), in order, as `query` would one by
    /// one. Parameters still travel apart from the SQL. When one fails the server skips the
    /// rest up to the Sync, and its error is thrown once the pipeline is drained; an open
    /// transaction is then aborted as after any failed statement. Statements already sent ahead
    /// (`sendAhead`) are not sent again: their results are read.
    @discardableResult
    public func pipeline(_ statements: [Statement]) throws -> [QueryResult] {
        if readAhead.capturing {
            readAhead.captured = statements
            throw ReadAhead.Captured()
        }
        if !readAhead.entries.isEmpty {
            return try pipelineSentAhead(statements)
        }
        let handle = try openHandle()
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        try send(statements, handle)
        let outcome = try receive(statements.count, handle)
        guard PQexitPipelineMode(handle) == 1 else { try abandonPipeline(handle) }
        return try outcome.get()
    }

    /// Sends statements and their Sync in pipeline mode, without reading.
    func send(_ statements: [Statement], _ handle: OpaquePointer) throws {
        var sent = true
        for statement in statements where sent {
            let texts = statement.parameters.map { $0.postgresText }
            sent = withCStrings(texts) { pointers in
                PQsendQueryParams(handle, statement.sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
            } == 1
        }
        // PQpipelineSync also flushes what was sent.
        guard sent, PQpipelineSync(handle) == 1 else { try abandonPipeline(handle) }
    }

    /// Reads the results of `count` statements sent in pipeline mode and their Sync: the
    /// results, or the first statement's error.
    func receive(_ count: Int, _ handle: OpaquePointer) throws -> Result<[QueryResult], PostgresError> {
        var results: [QueryResult] = []
        var failure: PostgresError?
        for _ in 0..<count {
            // Each statement's results, then a NULL.
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    results.append(QueryResult(copying: result))
                case PGRES_PIPELINE_ABORTED:
                    break
                default:
                    if failure == nil { failure = error(from: result) }
                }
            }
        }
        guard let sync = PQgetResult(handle) else { try abandonPipeline(handle, failure) }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced else { try abandonPipeline(handle, failure) }
        if let failure { return .failure(failure) }
        return .success(results)
    }

    /// Defers statements to the next one's round trip.
    func deferUntilNext(_ statements: [Statement], commitAfterIt: Bool) {
        deferred = statements
        commitsAfterNext = commitAfterIt
        committedEarly = false
    }

    /// Ends a `transaction`: nothing left to send when its `COMMIT` went with its one
    /// statement; else `COMMIT`, with whatever is still deferred (a body that ran no statement
    /// sends `BEGIN`, its first statement and `COMMIT` together), in one round trip.
    func commitDeferred() throws {
        defer { clearDeferred() }
        guard !committedEarly else { return }
        commitsAfterNext = false
        _ = try sendingDeferred(with: ("COMMIT", []))
    }

    /// Forgets what was deferred (the transaction that deferred it is over).
    func clearDeferred() {
        deferred = []
        commitsAfterNext = false
        committedEarly = false
    }

    /// Sends the deferred statements, `statement` and, for a one-statement transaction,
    /// `COMMIT`, in one round trip; returns `statement`'s result.
    func sendingDeferred(with statement: Statement) throws -> QueryResult {
        let commits = commitsAfterNext
        let statements = deferred + [statement] + (commits ? [("COMMIT", [])] : [])
        let index = deferred.count
        deferred = []
        commitsAfterNext = false
        let results = try pipeline(statements)
        committedEarly = commits
        return results[index]
    }

    /// Sends the deferred statements on their own (before a statement that cannot join a
    /// pipeline: a script, a COPY).
    func flushDeferred() throws {
        guard !deferred.isEmpty else { return }
        let statements = deferred
        deferred = []
        try pipeline(statements)
    }

    /// A pipeline that could not be sent or read to its end: the connection is in an unknown
    /// state, so it is closed (the next command reconnects) and the error is thrown.
    func abandonPipeline(_ handle: OpaquePointer, _ failure: PostgresError? = nil) throws -> Never {
        let error = failure ?? connectionError()
        readAhead.entries = []
        close()
        throw error
    }

    /// Runs SQL text that may hold several statements and no parameters (migrations, BEGIN, …).
    public func execute(script sql: String) throws {
        try beforeOwnRoundTrip()
        try flushDeferred()
        let handle = try openHandle()
        _ = try consume(PQexec(handle, sql))
    }

    func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw PostgresError(kind: .connection, message: "connection is closed")
        }
        return handle
    }

    /// Copies the result into Swift values and frees the libpq result.
    func consume(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else {
            throw connectionError()
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return QueryResult(copying: result)
        default:
            throw error(from: result)
        }
    }

    func connectionError() -> PostgresError {
        let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "connection is closed"
        return PostgresError(kind: .connection, message: Connection.trimmed(message))
    }

    func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        let primary = field(Int32(UInt8(ascii: "M"))) ?? Connection.trimmed(String(cString: PQresultErrorMessage(result)))
        // Every error the server sends carries a SQLSTATE; one without is libpq's own, such as
        // "server closed the connection unexpectedly" (PQstatus may still say OK then).
        return PostgresError(
            kind: sqlState == nil ? .connection : .server,
            message: primary.isEmpty ? Connection.trimmed(String(cString: PQerrorMessage(handle))) : primary,
            sqlState: sqlState,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            constraintName: field(Int32(UInt8(ascii: "n"))),
            severity: field(Int32(UInt8(ascii: "V"))),
            context: field(Int32(UInt8(ascii: "W")))
        )
    }

    static func trimmed(_ message: String) -> String {
        message.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Calls `body` with C strings that stay alive for the whole call; `nil` becomes a NULL pointer.
func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } }
    defer { owned.forEach { free($0) } }
    return owned.withUnsafeMutableBufferPointer { buffer in
        body(buffer.map { UnsafePointer($0) })
    }
}
