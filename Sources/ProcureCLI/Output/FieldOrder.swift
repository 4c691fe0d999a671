import Postgres

/// The order fields print in. The database returns `jsonb`, which keeps no key order (it sorts
/// keys by length), so the order people read is restored here, once, for every verb's result
/// (LineRunner) in every format: identity first (number, status, supplier, buyer), then dates,
/// then figures; a key not listed keeps its place after the listed ones. Nested objects and
/// lists are ordered the same way. Only the reports keep their own documented columns.
enum FieldOrder {
    static let keys: [String] = [
        // a dry run says so before anything else
        "dry_run",
        // identity
        "number", "order", "line", "seq", "code", "status", "state", "supplier", "supplier_name", "sku", "name",
        "item", "uom", "role", "active", "login", "buyer", "replacement", "replaces", "replaced_by",
        "actor", "table", "entity", "op", "regime", "currency", "reason", "note", "text", "stage",
        // dates and who
        "date", "from", "to", "on", "created_at", "issued_at", "acknowledged_at", "revoked_at", "at", "by",
        "claim_deadline", "claimed_at", "claimed_by", "review_deadline", "agreed_at", "agreed_by", "settled_at",
        "settled_by", "settle_ref", "claim_days", "review_days", "profit_rate", "schedule", "next_deadline", "days_left",
        // figures: an order line's, an order's, a liability's
        "qty", "price", "base_price", "amount", "delivered", "max_order_total", "max_discount",
        "finished", "costs", "profit", "cap", "capped", "saved", "settlement", "credits", "payments", "total",
        "paid", "scheduled", "in_production", "reused_finished", "reused_in_progress", "reused_not_started", "terminated",
        "liability", "liability_total",
    ]

    private static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })

    static func ordered(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let pairs):
            // each key's rank looked up once, not at every comparison
            let ranked = pairs.enumerated().map { (rank: rank[$1.0] ?? Int.max, offset: $0) }
            let sorted = ranked.sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.offset < $1.offset }
            return .object(sorted.map { (pairs[$0.offset].0, ordered(pairs[$0.offset].1)) })
        case .array(let items):
            return .array(items.map(ordered))
        default:
            return value
        }
    }
}
