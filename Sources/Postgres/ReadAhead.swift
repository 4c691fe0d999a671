import CLibPQ

/// Transactions sent ahead of their turn: a batch of one-round-trip transactions (each
/// `BEGIN … COMMIT` in one pipeline, `transaction(oneStatement:)`) goes to the server in one
/// flush, and each transaction's results are read when its own turn comes and it runs the same
/// statements (`Connection.pipeline`). The server runs them one after another, in order, each
/// in its own transaction, as if they had been sent one by one; only the waits between them go.
///
/// Each is followed by its own `ROLLBACK` in a pipeline of its own: after a failed statement an
/// explicit transaction stays open and aborted past its Sync, and would take the next one down;
/// after a commit the `ROLLBACK` finds no transaction and only warns (notices are dropped).
struct ReadAhead {
    /// Thrown at a captured transaction's round trip, or at anything that cannot be captured.
    struct Captured: Error {}

    /// A transaction sent ahead: what it sent, to recognise it by.
    struct Entry {
        let statements: [(sql: String, texts: [String?])]

        init(_ statements: [Connection.Statement]) {
            self.statements = statements.map { ($0.sql, $0.parameters.map(\.postgresText)) }
        }

        func matches(_ other: [Connection.Statement]) -> Bool {
            statements.count == other.count && zip(statements, other).allSatisfy { mine, theirs in
                mine.sql == theirs.sql && mine.texts == theirs.parameters.map(\.postgresText)
            }
        }
    }

    var capturing = false
    var captured: [Connection.Statement]?
    /// Sent, not yet read, in the order sent.
    var entries: [Entry] = []
    /// Transactions whose results were read at their turn rather than sent then.
    var answered = 0

    func refuseWhileCapturing() throws {
        if capturing { throw Captured() }
    }
}

extension Connection {
    /// The statements `body` sends in its first round trip, when they are one whole transaction
    /// (`BEGIN` … `COMMIT`); `body` runs with nothing sent and is stopped at that round trip (it
    /// sees an error). nil when it would send anything else first, or nothing.
    public func capturedTransaction(_ body: () -> Void) -> [Statement]? {
        readAhead.capturing = true
        readAhead.captured = nil
        body()
        readAhead.capturing = false
        defer { readAhead.captured = nil }
        guard let statements = readAhead.captured, statements.count >= 2,
              statements.first?.sql.hasPrefix("BEGIN") == true, statements.last?.sql == "COMMIT" else { return nil }
        return statements
    }

    /// Sends whole transactions ahead of their turn, in order, each with its Sync and its
    /// `ROLLBACK`. Their results wait on the connection until the same statements are run.
    public func sendAhead(_ transactions: [[Statement]]) throws {
        guard !transactions.isEmpty else { return }
        try settleReadAhead()
        let handle = try openHandle()
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        for transaction in transactions {
            try send(transaction, handle)
            try send([("ROLLBACK", [])], handle)
            readAhead.entries.append(ReadAhead.Entry(transaction))
        }
    }

    /// Reads and forgets what was sent ahead and not run since: the connection is then as if
    /// nothing had been sent ahead (the transactions did run on the server).
    public func settleReadAhead() throws {
        guard !readAhead.entries.isEmpty else { return }
        let handle = try openHandle()
        let pending = readAhead.entries
        readAhead.entries = []
        for entry in pending {
            _ = try receive(entry.statements.count, handle)
            _ = try receive(1, handle)
        }
        guard PQexitPipelineMode(handle) == 1 else { try abandonPipeline(handle) }
    }

    /// Before a statement that goes alone (`query` outside a transaction, a script, a COPY):
    /// nothing of it can be captured, and what was sent ahead is settled first.
    func beforeOwnRoundTrip() throws {
        try readAhead.refuseWhileCapturing()
        try settleReadAhead()
    }

    /// Transactions whose results were read at their turn, not sent then (for tests).
    public var transactionsAnsweredAhead: Int { readAhead.answered }

    /// `pipeline` while transactions are sent ahead: the next one's results when `statements`
    /// are what it sent; else (a retry, a body that changed its mind) the rest is settled and
    /// `statements` run at their turn.
    func pipelineSentAhead(_ statements: [Statement]) throws -> [QueryResult] {
        guard let next = readAhead.entries.first, next.matches(statements) else {
            try settleReadAhead()
            return try pipeline(statements)
        }
        let handle = try openHandle()
        readAhead.entries.removeFirst()
        let outcome = try receive(statements.count, handle)
        _ = try receive(1, handle)
        readAhead.answered += 1
        if readAhead.entries.isEmpty, PQexitPipelineMode(handle) != 1 { try abandonPipeline(handle) }
        return try outcome.get()
    }
}
