import Postgres

/// The procurement database as the CLI sees it: one function per SQL entry point, with named,
/// typed parameters. The rules live in the database (`sql/`); a client only passes values and
/// returns results, most of them the `jsonb` an entry point returns.
///
/// Each stored closure is one entry point; the methods in the extension below call them with
/// argument labels, which closures cannot carry. `live(connection:)` (DatabaseClientLive.swift)
/// implements them all on one connection, every value a bound parameter; a test may build a
/// client from closures of its own. A client is bound to its connection and, like it, used by
/// one thread at a time.
public struct DatabaseClient {
    // MARK: Session and transactions

    /// Whether the connection is still usable; a lost one is reopened by the caller.
    public var isConnected: () -> Bool
    /// Runs `body` in a transaction acting as the user (`SET LOCAL ROLE`; nil: the session's own
    /// role), the role set with the `BEGIN` and sent with the body's first call, in one round
    /// trip; with `oneCall` the body makes exactly one call and the `COMMIT` goes with it too.
    /// Commits when `body` returns, rolls back when it throws; a serialization failure or
    /// deadlock reruns `body`. With a schema digest, the same first statement first refuses a
    /// database whose schema is not that one (`Migrator.isStaleSchema`, SchemaCheck.swift).
    public var transaction: (_ actingAs: String?, _ schemaDigest: String?, _ oneCall: Bool, _ body: () throws -> Void) throws -> Void
    /// Runs `body` in a savepoint of the open transaction, rolled back to when `body` throws.
    public var savepoint: (_ name: String, _ body: () throws -> Void) throws -> Void
    /// Sets the acting user for the rest of the open transaction (nil: the session's own role).
    public var actAs: (_ user: String?) throws -> Void
    /// A transaction left open across calls (an `--atomic` batch), ended by `commit` or `rollback`.
    public var begin: () throws -> Void
    public var commit: () throws -> Void
    public var rollback: () throws -> Void
    /// The one whole transaction (`BEGIN` … `COMMIT`, one round trip) that `body` would send,
    /// found by running it with nothing sent; nil when it sends anything else first.
    public var capturedTransaction: (_ body: () -> Void) -> [Connection.Statement]?
    /// Sends such transactions ahead of their turn, in order: each one's results are read when
    /// it runs the same statements (`Connection.sendAhead`).
    public var sendAhead: (_ transactions: [[Connection.Statement]]) throws -> Void
    /// Reads and forgets what was sent ahead and has not run since.
    public var settleReadAhead: () throws -> Void
    /// The migrations recorded as applied: version → name and checksum.
    public var appliedMigrations: (_ migrator: Migrator) throws -> [Int: (name: String, checksum: String)]

    // MARK: Idempotency keys

    /// The exact text stored under the acting user's key for the verb, or nil.
    public var idempotentResult: (_ key: String, _ verb: String) throws -> String?
    /// Stores a verb's exact output under the acting user's key.
    public var idempotentSave: (_ key: String, _ verb: String, _ result: String) throws -> Void

    // MARK: Master data

    public var supplierAdd: (_ terms: SupplierTerms) throws -> JSONValue
    /// Changes the terms given (nil fields unchanged).
    public var supplierSet: (_ terms: SupplierTerms) throws -> JSONValue
    public var supplierList: () throws -> JSONValue
    public var itemAdd: (_ sku: String, _ name: String, _ uom: String) throws -> JSONValue
    public var itemList: () throws -> JSONValue
    public var priceSet: (_ supplier: String, _ sku: String, _ price: DecimalText,
                          _ from: PostgresDate?, _ to: PostgresDate?) throws -> JSONValue
    public var priceList: (_ supplier: String, _ on: PostgresDate?) throws -> JSONValue
    public var userAdd: (_ name: String, _ role: String, _ maxOrderTotal: DecimalText?,
                         _ maxDiscount: DecimalText?, _ password: String?, _ supplier: String?) throws -> JSONValue
    /// Changes a user's limits (nil: unchanged) and whether it may act (nil: unchanged).
    public var userSet: (_ name: String, _ maxOrderTotal: LimitSetting?, _ maxDiscount: LimitSetting?,
                         _ active: Bool?) throws -> JSONValue
    public var userList: () throws -> JSONValue

    // MARK: Orders

    public var poCreate: (_ supplier: String, _ number: String?, _ date: PostgresDate?,
                          _ lines: [OrderLineInput]) throws -> JSONValue
    public var poIssue: (_ number: String) throws -> JSONValue
    public var poAck: (_ number: String) throws -> JSONValue
    public var poClose: (_ number: String) throws -> JSONValue
    public var poDelete: (_ number: String) throws -> JSONValue
    public var poShow: (_ number: String) throws -> JSONValue
    /// Newest order date first, the numbers of one date in natural order.
    public var poList: (_ filter: OrderListFilter) throws -> JSONValue
    /// A draft's lines: add one (numbered after the last), change one, remove one.
    public var poLineAdd: (_ number: String, _ line: OrderLineInput) throws -> JSONValue
    public var poLineSet: (_ number: String, _ line: Int, _ quantity: DecimalText?, _ price: DecimalText?,
                           _ sku: String?) throws -> JSONValue
    public var poLineRemove: (_ number: String, _ line: Int) throws -> JSONValue
    public var poReceive: (_ number: String, _ line: Int, _ quantity: DecimalText) throws -> JSONValue
    public var poPay: (_ number: String, _ amount: DecimalText) throws -> JSONValue
    public var poPrice: (_ number: String, _ line: Int, _ price: DecimalText) throws -> JSONValue
    /// Every price edit of an order, accepted and refused, oldest first (as far as the acting
    /// user may see them).
    public var priceEdits: (_ number: String) throws -> JSONValue

    // MARK: Import

    /// Creates the all-text staging table of `import orders` (dropped at commit).
    public var importCreateStaging: () throws -> Void
    /// Streams CSV (with its header row) into the staging table; `chunks` is pulled until nil.
    /// Returns the number of rows copied.
    public var importCopy: (_ chunks: () throws -> [UInt8]?) throws -> Int
    /// Applies the staged rows with the rules of `po create`.
    public var importOrdersApply: () throws -> JSONValue

    // MARK: Production, corrections, liabilities

    public var production: (_ number: String, _ line: Int, _ stage: String?, _ finished: DecimalText?,
                            _ inProgress: DecimalText?, _ wipCost: DecimalText?, _ materials: DecimalText?,
                            _ salvage: DecimalText?, _ costToComplete: DecimalText?, _ asOf: TimeText?,
                            _ note: String?) throws -> JSONValue
    /// Revokes the order, creates its replacement when lines are given, and stores the
    /// liability the database computes; returns that liability.
    public var correct: (_ number: String, _ reason: String, _ note: String, _ replacement: [OrderLineInput]?,
                         _ supplier: String?, _ settlement: DecimalText?, _ replacementNumber: String?) throws -> JSONValue
    /// The supplier declares its claim final.
    public var claimSubmit: (_ number: String, _ note: String?) throws -> JSONValue
    /// Finance sends a claimed case back to the supplier with a fresh claim window.
    public var liabilityDispute: (_ number: String, _ note: String) throws -> JSONValue
    /// The register of correction cases, soonest deadline first.
    public var caseList: (_ state: String?, _ supplier: String?, _ buyer: String?, _ all: Bool) throws -> JSONValue
    public var liabilityShow: (_ number: String) throws -> JSONValue
    public var liabilityList: (_ supplier: String?, _ buyer: String?, _ status: String?) throws -> JSONValue
    public var liabilityAgree: (_ number: String) throws -> JSONValue
    public var liabilitySettle: (_ number: String, _ reference: String) throws -> JSONValue
    public var noteAdd: (_ number: String, _ text: String) throws -> JSONValue

    // MARK: Documents and settings

    /// An admin sets a setting printed on documents (an empty value removes it).
    public var settingSet: (_ key: String, _ value: String) throws -> JSONValue
    /// Every setting, set or not.
    public var settingList: () throws -> JSONValue
    /// The order as a document for its supplier, in a language (`en`, `zh`).
    public var poDocument: (_ number: String, _ language: String) throws -> JSONValue
    /// The revocation notice of a revoked order, in a language.
    public var notice: (_ number: String, _ language: String) throws -> JSONValue
    /// The words a document prints in a language: its labels and the words for stored codes.
    public var documentWords: (_ language: String) throws -> JSONValue

    // MARK: Audit and reports

    public var history: (_ number: String) throws -> JSONValue
    public var auditVerify: () throws -> JSONValue
    /// The suppliers a report names (code, name, currency): those the reader sees, or one.
    public var reportSuppliers: (_ supplier: String?) throws -> JSONValue
    /// Every chain's head and their digest, to be kept outside the database.
    public var auditCheckpoint: () throws -> JSONValue
    /// `auditVerify`, and that nothing up to a checkpoint's heads was rewritten since.
    public var auditVerifyCheckpoint: (_ checkpoint: JSONValue) throws -> JSONValue
    public var report: (_ name: String, _ from: PostgresDate?, _ to: PostgresDate?,
                        _ buyer: String?, _ supplier: String?) throws -> JSONValue
}

/// A new value of a buyer's limit: a decimal, or none (no limit).
public enum LimitSetting: Sendable, Hashable {
    case none
    case value(DecimalText)

    /// As the database reads it: `none` or the decimal's text.
    public var text: String {
        switch self {
        case .none: return "none"
        case .value(let decimal): return decimal.text
        }
    }
}

/// A supplier's code and the terms `supplier add` or `supplier set` gives; nil: the default
/// (add) or unchanged (set).
public struct SupplierTerms: Sendable {
    public var code: String
    public var name: String?
    public var currency: String?
    public var regime: String?
    public var profitRate: DecimalText?
    public var schedule: JSONValue?
    public var claimDays: Int?
    public var reviewDays: Int?

    public init(code: String, name: String?, currency: String?, regime: String?, profitRate: DecimalText?,
                schedule: JSONValue?, claimDays: Int?, reviewDays: Int?) {
        self.code = code
        self.name = name
        self.currency = currency
        self.regime = regime
        self.profitRate = profitRate
        self.schedule = schedule
        self.claimDays = claimDays
        self.reviewDays = reviewDays
    }
}

/// Which orders `po list` shows; nil: no restriction. Dates bound the order date, inclusive.
public struct OrderListFilter: Sendable {
    public var buyer: String?
    public var supplier: String?
    public var status: String?
    public var from: PostgresDate?
    public var to: PostgresDate?
    public var limit: Int?

    public init(buyer: String?, supplier: String?, status: String?, from: PostgresDate?, to: PostgresDate?, limit: Int?) {
        self.buyer = buyer
        self.supplier = supplier
        self.status = status
        self.from = from
        self.to = to
        self.limit = limit
    }
}

/// One order line as a verb passes it: the price nil for the base price.
public struct OrderLineInput: Sendable, Hashable {
    public var sku: String
    public var quantity: DecimalText
    public var price: DecimalText?

    public init(sku: String, quantity: DecimalText, price: DecimalText?) {
        self.sku = sku
        self.quantity = quantity
        self.price = price
    }
}

// MARK: - Calls with argument labels

extension DatabaseClient {
    /// `transaction` for a body with a result.
    public func transaction<T>(actingAs user: String?, checkingSchema digest: String? = nil, oneCall: Bool = false,
                               _ body: () throws -> T) throws -> T {
        var result: T?
        try transaction(user, digest, oneCall) { result = try body() }
        guard let result else { preconditionFailure("a committed transaction ran its body") }
        return result
    }

    /// `savepoint` for a body with a result.
    public func savepoint<T>(named name: String, _ body: () throws -> T) throws -> T {
        var result: T?
        try savepoint(name) { result = try body() }
        guard let result else { preconditionFailure("a released savepoint ran its body") }
        return result
    }

    public func idempotentResult(key: String, verb: String) throws -> String? {
        try idempotentResult(key, verb)
    }

    public func idempotentSave(key: String, verb: String, result: String) throws {
        try idempotentSave(key, verb, result)
    }

    public func itemAdd(sku: String, name: String, uom: String) throws -> JSONValue {
        try itemAdd(sku, name, uom)
    }

    public func priceSet(supplier: String, sku: String, price: DecimalText, from: PostgresDate?, to: PostgresDate?) throws -> JSONValue {
        try priceSet(supplier, sku, price, from, to)
    }

    public func priceList(supplier: String, on date: PostgresDate?) throws -> JSONValue {
        try priceList(supplier, date)
    }

    public func userAdd(name: String, role: String, maxOrderTotal: DecimalText?, maxDiscount: DecimalText?,
                        password: String?, supplier: String?) throws -> JSONValue {
        try userAdd(name, role, maxOrderTotal, maxDiscount, password, supplier)
    }

    public func userSet(name: String, maxOrderTotal: LimitSetting?, maxDiscount: LimitSetting?, active: Bool?) throws -> JSONValue {
        try userSet(name, maxOrderTotal, maxDiscount, active)
    }

    public func poCreate(supplier: String, number: String?, date: PostgresDate?, lines: [OrderLineInput]) throws -> JSONValue {
        try poCreate(supplier, number, date, lines)
    }

    public func poLineAdd(number: String, line: OrderLineInput) throws -> JSONValue {
        try poLineAdd(number, line)
    }

    public func poLineSet(number: String, line: Int, quantity: DecimalText?, price: DecimalText?, sku: String?) throws -> JSONValue {
        try poLineSet(number, line, quantity, price, sku)
    }

    public func poLineRemove(number: String, line: Int) throws -> JSONValue {
        try poLineRemove(number, line)
    }

    public func poReceive(number: String, line: Int, quantity: DecimalText) throws -> JSONValue {
        try poReceive(number, line, quantity)
    }

    public func poPay(number: String, amount: DecimalText) throws -> JSONValue {
        try poPay(number, amount)
    }

    public func poPrice(number: String, line: Int, price: DecimalText) throws -> JSONValue {
        try poPrice(number, line, price)
    }

    public func priceEdits(order number: String) throws -> JSONValue {
        try priceEdits(number)
    }

    public func production(number: String, line: Int, stage: String?, finished: DecimalText?, inProgress: DecimalText?,
                           wipCost: DecimalText?, materials: DecimalText?, salvage: DecimalText?,
                           costToComplete: DecimalText?, asOf: TimeText?, note: String?) throws -> JSONValue {
        try production(number, line, stage, finished, inProgress, wipCost, materials, salvage, costToComplete, asOf, note)
    }

    public func correct(number: String, reason: String, note: String, replacement: [OrderLineInput]?,
                        supplier: String?, settlement: DecimalText?, replacementNumber: String?) throws -> JSONValue {
        try correct(number, reason, note, replacement, supplier, settlement, replacementNumber)
    }

    public func claimSubmit(number: String, note: String?) throws -> JSONValue {
        try claimSubmit(number, note)
    }

    public func liabilityDispute(number: String, note: String) throws -> JSONValue {
        try liabilityDispute(number, note)
    }

    public func caseList(state: String?, supplier: String?, buyer: String?, all: Bool) throws -> JSONValue {
        try caseList(state, supplier, buyer, all)
    }

    public func liabilityList(supplier: String?, buyer: String?, status: String?) throws -> JSONValue {
        try liabilityList(supplier, buyer, status)
    }

    public func liabilitySettle(number: String, reference: String) throws -> JSONValue {
        try liabilitySettle(number, reference)
    }

    public func noteAdd(number: String, text: String) throws -> JSONValue {
        try noteAdd(number, text)
    }

    public func settingSet(key: String, value: String) throws -> JSONValue {
        try settingSet(key, value)
    }

    public func poDocument(number: String, language: String) throws -> JSONValue {
        try poDocument(number, language)
    }

    public func notice(number: String, language: String) throws -> JSONValue {
        try notice(number, language)
    }

    public func documentWords(language: String) throws -> JSONValue {
        try documentWords(language)
    }

    public func report(_ name: String, from: PostgresDate?, to: PostgresDate?, buyer: String?, supplier: String?) throws -> JSONValue {
        try report(name, from, to, buyer, supplier)
    }
}
