import Foundation
import Postgres

/// The business state of a database, without what legitimately differs between two runs of
/// the same batch: generated ids, timestamps, and the numbers of replacement orders (drawn from
/// a sequence, so a transaction killed mid-way leaves a gap). A replacement order is named
/// `R<revoked order>` instead, and its audit chain `order:R<revoked order>`.
struct Snapshot {
    /// table → its rows as text, sorted (a multiset).
    var tables: [String: [String]] = [:]
    /// audit chain (normalised) → rows per (table, op).
    var auditChains: [String: [String: Int]] = [:]
    var auditRows = 0

    static let canonical = """
        CASE WHEN o.replaces IS NOT NULL THEN 'R<' || o.replaces || '>' ELSE o.number END
        """

    /// Options for comparing runs that legitimately differ a little more.
    struct Options {
        /// Generated order numbers (`PO-000123`) become `PO-#`: a failed `po create` draws from
        /// the sequence too, so two runs with different failures number differently.
        var maskGeneratedNumbers = false
        /// Only accepted price edits: a refused `po price` records its attempt by design.
        var acceptedPriceEditsOnly = false
    }

    static func queries(_ options: Options) -> [String: String] {
        var result = queries   // generated numbers are masked as the rows are read (see init)
        if options.acceptedPriceEditsOnly {
            result["price_edits"] = (result["price_edits"] ?? "") + " WHERE e.accepted"
        }
        return result
    }

    static let queries: [String: String] = [
        "suppliers": "SELECT code, name, currency, regime, profit_rate, schedule::text, claim_days FROM procure.suppliers",
        "items": "SELECT sku, name, uom FROM procure.items",
        "users": "SELECT name, role, max_order_total, max_discount FROM procure.users",
        "price_periods": """
            SELECT s.code, i.sku, p.price, p.valid::text, p.created_by FROM procure.price_periods p
              JOIN procure.suppliers s ON s.id = p.supplier_id JOIN procure.items i ON i.id = p.item_id
            """,
        "orders": """
            SELECT \(canonical), s.code, o.buyer, CASE WHEN o.replaces IS NULL THEN o.order_date::text ELSE 'today' END,
                   o.status, o.issued_at IS NOT NULL, o.acknowledged_at IS NOT NULL, o.in_production_at IS NOT NULL,
                   o.delivered_at IS NOT NULL, o.closed_at IS NOT NULL, o.revoked_at IS NOT NULL,
                   o.replaces, CASE WHEN o.replaced_by IS NULL THEN NULL ELSE 'R<' || o.number || '>' END
              FROM procure.orders o JOIN procure.suppliers s ON s.id = o.supplier_id
            """,
        "order_lines": """
            SELECT \(canonical), l.line_no, i.sku, l.qty, l.price, l.base_price, l.delivered
              FROM procure.order_lines l JOIN procure.orders o ON o.supplier_id = l.supplier_id AND o.id = l.order_id
              JOIN procure.items i ON i.id = l.item_id
            """,
        "price_edits": """
            SELECT \(canonical), e.line_no, e.actor, e.old_price, e.new_price, e.base_price, e.accepted, e.code
              FROM procure.price_edits e JOIN procure.orders o ON o.supplier_id = e.supplier_id AND o.id = e.order_id
            """,
        "payments": """
            SELECT \(canonical), p.amount, p.paid_by
              FROM procure.payments p JOIN procure.orders o ON o.supplier_id = p.supplier_id AND o.id = p.order_id
            """,
        "production_reports": """
            SELECT \(canonical), r.line_no, r.stage, r.finished, r.in_progress, r.wip_cost, r.materials, r.salvage,
                   r.cost_to_complete, r.reported_by, r.reported_as,
                   -- as of the clock, so never equal in a replay: only that it lies in its bounds
                   r.as_of >= o.issued_at AND r.as_of <= r.reported_at AS as_of_in_bounds
              FROM procure.production_reports r JOIN procure.orders o ON o.supplier_id = r.supplier_id AND o.id = r.order_id
            """,
        "corrections": """
            SELECT \(canonical), c.reason, c.note, c.settlement, c.order_state, c.acknowledged, c.created_by
              FROM procure.corrections c JOIN procure.orders o ON o.supplier_id = c.supplier_id AND o.id = c.order_id
            """,
        "liabilities": """
            SELECT \(canonical), li.inputs::text, li.result::text, li.total, li.status, li.agreed_by, li.settled_by, li.settle_ref
              FROM procure.liabilities li JOIN procure.orders o ON o.supplier_id = li.supplier_id AND o.id = li.order_id
            """,
        "case_notes": """
            SELECT \(canonical), n.body, n.created_by
              FROM procure.case_notes n JOIN procure.orders o ON o.supplier_id = n.supplier_id AND o.id = n.order_id
            """,
        "idempotency_keys": "SELECT key, verb, actor FROM procure.idempotency_keys",
    ]

    init(conninfo: String, options: Options = Options()) throws {
        let connection = try Connection(conninfo)
        let mask: (String) -> String = { text in
            guard options.maskGeneratedNumbers else { return text }
            return text.replacingOccurrences(of: "PO-[0-9]{6,}", with: "PO-#", options: .regularExpression)
        }
        for (table, query) in Self.queries(options) {
            let result = try connection.query(query)
            tables[table] = result.rows.map { row in mask(row.values.map { $0 ?? "∅" }.joined(separator: " | ")) }.sorted()
        }
        let audit = try connection.query("""
            SELECT coalesce('order:R<' || o.replaces || '>', a.chain) AS chain, a.table_name, a.op, count(*) AS n
              FROM procure.audit_entries a
              LEFT JOIN procure.orders o ON a.chain = 'order:' || o.number AND o.replaces IS NOT NULL
             GROUP BY 1, 2, 3
            """)
        for row in audit.rows {
            let n = Int(row["n"] ?? "0") ?? 0
            auditChains[mask(row["chain"] ?? "?"), default: [:]]["\(row["table_name"] ?? "?") \(row["op"] ?? "?")", default: 0] += n
            auditRows += n
        }
    }

    /// Rows in one multiset and not the other, per table ("+" only in `other`, "−" only here).
    func differences(from other: Snapshot) -> [String: (onlyHere: [String], onlyThere: [String])] {
        var result: [String: (onlyHere: [String], onlyThere: [String])] = [:]
        for table in Set(tables.keys).union(other.tables.keys) {
            var counts: [String: Int] = [:]
            for row in tables[table] ?? [] { counts[row, default: 0] += 1 }
            for row in other.tables[table] ?? [] { counts[row, default: 0] -= 1 }
            var here: [String] = [], there: [String] = []
            for (row, count) in counts where count != 0 {
                if count > 0 { here += Array(repeating: row, count: count) } else { there += Array(repeating: row, count: -count) }
            }
            if !here.isEmpty || !there.isEmpty { result[table] = (here.sorted(), there.sorted()) }
        }
        return result
    }

    var rowCount: Int { tables.values.reduce(0) { $0 + $1.count } }
}
