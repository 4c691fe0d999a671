import Postgres

/// The stable error codes users and scripts see. Scripts and tests match on the raw value.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidArgument = "invalid_argument"
    case notFound = "not_found"
    case alreadyExists = "already_exists"
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

    /// Maps a PostgreSQL error to a stable code and words for people: by constraint name first
    /// (the database raises rule violations with the code as the constraint name, and every
    /// constraint of the schema has its words in `ConstraintWords`), then by SQLSTATE. This is
    /// the one place where SQLSTATEs become procure's codes; no constraint name, function name
    /// or `Failing row contains …` of the server reaches the message.
    public init(_ error: PostgresError) {
        if let name = error.constraintName, let words = ConstraintWords.table[name] {
            // A check of procure's own (procure.fail) already speaks in the user's terms.
            let message = error.isRaisedByProcure ? error.message : words.message(value: error.keyValue)
            self.init(ErrorCode(rawValue: name) ?? words.code, message, underlying: error)
            return
        }
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
            self.init(.conflict, "the database kept reporting conflicting updates; try again", underlying: error)
        case .insufficientPrivilege?:
            self.init(.permissionDenied, error.isRaisedByProcure ? error.message : PermissionWords.message(for: error),
                      underlying: error)
        case .noDataFound?, .undefinedObject?:
            self.init(.notFound, error.isRaisedByProcure ? error.message : "not found: \(error.message)", underlying: error)
        case .notNullViolation?:
            self.init(.invalidArgument, "\(error.nullColumn.map { "a value for \($0.replacingOccurrences(of: "_", with: " "))" } ?? "a value") is required",
                      underlying: error)
        case let code? where code.isInClass(of: .integrityConstraintViolation):
            // A constraint the table above does not know: a bug of the table, but still no
            // server text for the user.
            self.init(.invalidArgument, error.isRaisedByProcure ? error.message : "the value breaks a rule of the data", underlying: error)
        case let code? where code.isInClass(of: .dataException) || code == .raiseException:
            self.init(.invalidArgument, error.message, underlying: error)
        default:
            self.init(.internalError, error.debugDescription, underlying: error)
        }
    }

    /// A `COPY` of `file` that failed: the server refusing a row is the file's fault, said as
    /// which row and what is wrong with it; anything else is the connection's.
    public init(copying file: String, _ error: PostgresError) {
        guard error.kind == .server else {
            self.init(.databaseUnavailable, "\(file): database unavailable: \(error.message)", underlying: error)
            return
        }
        let row = error.context.flatMap(PostgresError.copyLine).map { "row \($0)" } ?? "a row"
        let what: String
        if error.message.hasPrefix("extra data after last expected column") {
            what = "more columns than the header"
        } else if error.message.hasPrefix("missing data for column") {
            what = "fewer columns than the header"
        } else if error.message.hasPrefix("unterminated CSV quoted field") {
            what = "a quoted field is not closed"
        } else if error.message.contains("invalid byte sequence") {
            what = "not UTF-8 text"
        } else {
            what = "cannot be read as a CSV row"
        }
        self.init(.invalidArgument, "\(file) \(row): \(what)", underlying: error)
    }
}

extension PostgresError {
    /// The line number of a COPY error's context, `COPY import_staging, line 3: …` → 3.
    static func copyLine(_ context: String) -> Int? {
        guard let range = context.range(of: ", line ") else { return nil }
        return Int(context[range.upperBound...].prefix { $0.isNumber })
    }

    /// Raised by `procure.fail`, whose message is written for people (the constraint name
    /// there is only the code).
    var isRaisedByProcure: Bool {
        context?.contains("procure.fail(") == true
    }

    /// The value of a unique key's detail, `Key (code)=(S1) already exists.` → `S1`.
    var keyValue: String? {
        guard let detail, detail.hasPrefix("Key ("), let equals = detail.range(of: ")=(") else { return nil }
        let rest = detail[equals.upperBound...]
        guard let close = rest.range(of: ")", options: .backwards) else { return nil }
        let value = String(rest[..<close.lowerBound])
        // a composite key (supplier_id, id) names internal ids: no use to anyone
        return detail[detail.index(detail.startIndex, offsetBy: 5)..<equals.lowerBound].contains(",") ? nil : value
    }

    /// The column of a not-null violation: `null value in column "name" of relation …`.
    var nullColumn: String? {
        guard let start = message.range(of: "column \""),
              let end = message[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(message[start.upperBound..<end])
    }
}

/// What each constraint of the schema means, in the user's words. Every constraint of the
/// procure schema (tables, domains and unique indexes) has an entry: a test compares this table
/// with the schema's catalogue.
public struct ConstraintWords: Sendable {
    public let code: ErrorCode
    /// The sentence; `%@` is the offending value when the server names it (a unique key).
    let template: String
    /// Used when the server does not name the value.
    let generic: String

    init(_ code: ErrorCode, _ template: String, generic: String? = nil) {
        self.code = code
        self.template = template
        self.generic = generic ?? template
    }

    public func message(value: String?) -> String {
        guard let value, template.contains("%@") else { return generic }
        return template.replacingOccurrences(of: "%@", with: value)
    }

    private static func internalRecord(_ what: String) -> ConstraintWords {
        ConstraintWords(.internalError, "\(what) already exists; this is a bug, please report it")
    }

    public static let table: [String: ConstraintWords] = [
        // exact-decimal domains
        "price_check": ConstraintWords(.invalidArgument, "a unit price is zero or more, below 10^15, with at most 4 decimals"),
        "qty_check": ConstraintWords(.invalidArgument, "a quantity is zero or more, below 10^15, with at most 3 decimals"),
        "amount_check": ConstraintWords(.invalidArgument, "an amount is below 10^15 in size, with at most 2 decimals"),
        "pct_check": ConstraintWords(.invalidArgument, "a percentage is between 0 and 100, with at most 4 decimals"),
        // suppliers
        "suppliers_pkey": internalRecord("a supplier with this id"),
        "suppliers_code_key": ConstraintWords(.alreadyExists, "supplier %@ already exists", generic: "a supplier with this code already exists"),
        "suppliers_code_check": ConstraintWords(.invalidArgument, "a supplier code is one word: not empty, no spaces"),
        "suppliers_name_check": ConstraintWords(.invalidArgument, "a supplier's --name must not be empty"),
        "suppliers_currency_check": ConstraintWords(.invalidArgument, "--currency is a 3-letter ISO code in capitals, such as CNY or EUR"),
        "suppliers_regime_check": ConstraintWords(.invalidArgument, "--regime is one of cost, schedule, expectation"),
        "suppliers_schedule_check": ConstraintWords(.invalidArgument,
            "--schedule maps stages (issued, acknowledged, materials, production, finished) to percentages 0..100"),
        "suppliers_claim_days_check": ConstraintWords(.invalidArgument, "--claim-days is zero or more"),
        "suppliers_review_days_check": ConstraintWords(.invalidArgument, "--review-days is zero or more"),
        "settings_pkey": ConstraintWords(.alreadyExists, "that setting is set already"),
        "settings_key_check": ConstraintWords(.invalidArgument, "a setting is company.name, company.address or company.contact"),
        "settings_value_check": ConstraintWords(.invalidArgument, "a setting's value is not blank and at most 500 characters"),
        "users_supplier_check": ConstraintWords(.invalidArgument, "a supplier user names its supplier (--supplier CODE), and only a supplier user does"),
        "users_supplier_fkey": ConstraintWords(.notFound, "--supplier names no supplier"),
        "orders_revision_check": ConstraintWords(.invalidArgument, "a revision number belongs to a replacement, which only correct creates"),
        "production_reports_reported_as_check": ConstraintWords(.invalidArgument, "a production report is made as buyer, supplier, admin or carried over"),
        "case_notes_kind_check": ConstraintWords(.invalidArgument, "a case note is a note, a claim, a dispute or a deadline"),
        // items
        "items_pkey": internalRecord("an item with this id"),
        "items_sku_key": ConstraintWords(.alreadyExists, "item %@ already exists", generic: "an item with this SKU already exists"),
        "items_sku_check": ConstraintWords(.invalidArgument, "a SKU is one word: not empty, no spaces, no ':' or '@'"),
        "items_name_check": ConstraintWords(.invalidArgument, "an item's --name must not be empty"),
        "items_uom_check": ConstraintWords(.invalidArgument, "an item's --uom must not be empty"),
        // price list
        "price_periods_pkey": internalRecord("a price period with this id"),
        "price_periods_supplier_fkey": ConstraintWords(.notFound, "the supplier of the price does not exist"),
        "price_periods_item_fkey": ConstraintWords(.notFound, "the item of the price does not exist"),
        "price_periods_valid_check": ConstraintWords(.invalidArgument, "a price period needs at least one day (--to on or after --from)"),
        "price_periods_price_positive": ConstraintWords(.invalidArgument, "a base price must be above zero"),
        "price_periods_no_overlap": ConstraintWords(.invalidArgument,
            "this period overlaps another price of the same supplier and item; `price set` trims or splits the neighbours for you"),
        // users
        "users_pkey": ConstraintWords(.alreadyExists, "user %@ already exists", generic: "this user already exists"),
        "users_role_check": ConstraintWords(.invalidArgument, "--role is one of buyer, finance, admin, auditor, supplier"),
        "users_max_order_total_check": ConstraintWords(.invalidArgument, "--max-order-total is zero or more"),
        // orders and their lines
        "orders_pkey": internalRecord("an order with this id"),
        "orders_number_key": ConstraintWords(.alreadyExists, "order %@ already exists", generic: "an order with this number already exists"),
        "orders_supplier_fkey": ConstraintWords(.notFound, "the order's supplier does not exist"),
        "orders_number_check": ConstraintWords(.invalidArgument, "an order number is not empty, has no surrounding spaces and at most 64 characters"),
        "orders_status_check": ConstraintWords(.invalidArgument,
            "a status is one of draft, issued, acknowledged, in_production, delivered, closed, revoked"),
        "order_counter_pkey": internalRecord("a second order counter"),
        "order_counter_one_row": internalRecord("a second order counter"),
        "orders_replaces_key": ConstraintWords(.invalidState, "the revoked order already has a replacement"),
        "order_lines_pkey": ConstraintWords(.invalidArgument, "the order already has a line with this number"),
        "order_lines_order_fkey": ConstraintWords(.notFound, "the line's order does not exist"),
        "order_lines_item_fkey": ConstraintWords(.notFound, "the line's item does not exist"),
        "order_lines_line_no_check": ConstraintWords(.invalidArgument, "line numbers start at 1"),
        "order_lines_qty_positive": ConstraintWords(.invalidArgument, "a line's quantity must be above zero"),
        "order_lines_delivered_le_qty": ConstraintWords(.invalidArgument, "a line's delivered quantity cannot exceed the quantity ordered"),
        "price_edits_pkey": internalRecord("a price edit with this id"),
        "payments_pkey": internalRecord("a payment with this id"),
        "payments_order_fkey": ConstraintWords(.notFound, "the order of the payment does not exist"),
        "payments_amount_positive": ConstraintWords(.invalidArgument, "a payment must be above zero"),
        "production_reports_pkey": internalRecord("a production report with this id"),
        "production_reports_line_fkey": ConstraintWords(.notFound, "the order has no such line"),
        "production_reports_stage_check": ConstraintWords(.invalidArgument, "--stage is one of materials, production, finished"),
        "production_reports_amounts_check": ConstraintWords(.invalidArgument,
            "--wip-cost, --materials, --salvage and --cost-to-complete are zero or more"),
        // corrections and what hangs off them
        "corrections_pkey": internalRecord("a correction with this id"),
        "already_revoked": ConstraintWords(.alreadyRevoked, "the order already has a correction (revocation note)"),
        "corrections_order_fkey": ConstraintWords(.notFound, "the order to correct does not exist"),
        "corrections_reason_check": ConstraintWords(.invalidArgument,
            "--reason is one of wrong-quantity, wrong-item, wrong-price, wrong-supplier, wrong-date, duplicate, other"),
        "corrections_note_check": ConstraintWords(.invalidArgument, "--note must not be empty"),
        "corrections_settlement_check": ConstraintWords(.invalidArgument, "--settlement is zero or more"),
        "liabilities_pkey": ConstraintWords(.alreadyRevoked, "the correction already has its liability"),
        "liabilities_correction_fkey": ConstraintWords(.notFound, "the liability's correction does not exist"),
        "liabilities_status_check": ConstraintWords(.invalidArgument, "a liability's status is one of open, agreed, settled"),
        "liabilities_order_key": ConstraintWords(.alreadyRevoked, "the order already has a liability"),
        "case_notes_pkey": internalRecord("a case note with this id"),
        "case_notes_correction_fkey": ConstraintWords(.notFound, "the case of the note does not exist"),
        "case_notes_body_check": ConstraintWords(.invalidArgument, "a note must not be empty"),
        // bookkeeping
        "idempotency_keys_pkey": ConstraintWords(.conflict, "another command used the same --key at the same moment; run the line again"),
        "audit_log_pkey": internalRecord("an audit row with this id"),
        "audit_log_chain_seq_key": ConstraintWords(.conflict, "two writers of one audit chain collided; run the line again"),
        "audit_log_changes_check": internalRecord("an audit row whose changes are not a list"),
        "audit_heads_pkey": ConstraintWords(.conflict, "two writers of one audit chain collided; run the line again"),
        "audit_txn_pkey": internalRecord("an audit transaction"),
    ]
}

/// Who may do what, for a server's `permission denied for function po_pay` (a role calling a
/// function or touching a table its group was not granted), in the user's words.
enum PermissionWords {
    /// The function or table → what it does and who may do it.
    static let objects: [String: String] = [
        "supplier_add": "adding suppliers is for admins", "item_add": "adding items is for admins",
        "price_set": "the price list is kept by admins", "user_add": "adding users is for admins",
        "user_set": "changing users is for admins",
        "suppliers": "suppliers are kept by admins", "items": "items are kept by admins",
        "price_periods": "the price list is kept by admins", "users": "users are kept by admins",
        "po_create": "creating orders is for buyers", "po_issue": "issuing orders is for their buyer",
        "po_ack": "recording an acknowledgement is for the order's buyer",
        "po_receive": "recording deliveries is for the order's buyer", "po_close": "closing orders is for their buyer",
        "po_delete": "deleting drafts is for their buyer", "po_price": "price edits are for the order's buyer",
        "record_refused_price_edit": "price edits are for the order's buyer",
        "production": "production reports are for the order's buyer", "correct": "corrections are for the order's buyer",
        "import_orders_apply": "importing orders is for buyers", "orders": "orders are written by their buyer",
        "order_lines": "order lines are written by their buyer",
        "po_pay": "advance payments are recorded by finance", "payments": "advance payments are recorded by finance",
        "liability_agree": "agreeing liabilities is for finance", "liability_settle": "settling liabilities is for finance",
        "liabilities": "liabilities are kept by finance",
        "note_add": "case notes are for the order's buyer and finance", "case_notes": "case notes are for the order's buyer and finance",
        "idempotent_save": "auditors write nothing, --key included",
    ]

    static func message(for error: PostgresError) -> String {
        let text = error.message
        if text.hasPrefix("permission denied for schema") {
            return "this user may not use procure: it is inactive or not a procure user (see `user list`)"
        }
        if text.contains("row-level security") {
            return "this row is not yours to write (it belongs to another user)"
        }
        let object = text.split(separator: " ").last.map(String.init) ?? ""
        if let words = objects[object] {
            return "your role may not do this: \(words)"
        }
        return "your role may not do this (docs/security.md lists who may do what)"
    }
}
