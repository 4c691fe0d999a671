import Postgres

/// The procurement database as the CLI sees it: each verb is one call of a function in the
/// `procure` schema that returns `jsonb` (one round trip per command). The SQL and its rules
/// live in `sql/`; this type only passes parameters and maps errors.
public struct Store {
    public let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// Calls `procure.<function>($1, …)` and parses its jsonb result. `function` is always a
    /// constant of this module's callers, never user input; every value is a parameter.
    @discardableResult
    public func call(_ function: String, _ arguments: [any PostgresEncodable]) throws -> JSONValue {
        let placeholders = (1...max(arguments.count, 1)).prefix(arguments.count).map { "$\($0)" }.joined(separator: ", ")
        let result = try connection.query("SELECT procure.\(function)(\(placeholders))::text AS result", arguments)
        // NULL, or a function returning void (whose text is empty), is no result.
        guard let text = result.first?["result"], !text.isEmpty else { return .null }
        return try JSONParser.parse(text)
    }

    /// Sets the acting role for the current transaction (`SET LOCAL ROLE`, parameterised),
    /// or the session's own role when `name` is nil.
    public func actAs(_ name: String?) throws {
        let statement = Store.actAsStatement(name)
        try connection.query(statement.sql, statement.parameters)
    }

    /// The statement `actAs` runs, for callers that send it along with others (pipelined with
    /// the `BEGIN`).
    public static func actAsStatement(_ name: String?) -> (sql: String, parameters: [any PostgresEncodable]) {
        ("SELECT set_config('role', $1, true)", [name ?? "none"])
    }
}

extension Store {
    /// Every price edit of an order, accepted and refused, oldest first (RLS decides what the
    /// acting role may see).
    public func priceEdits(order number: String) throws -> JSONValue {
        let result = try connection.query("""
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'line', e.line_no, 'at', e.at, 'by', e.actor,
                       'old', procure.fmt_price(e.old_price), 'new', procure.fmt_price(e.new_price),
                       'base', procure.fmt_price(e.base_price), 'accepted', e.accepted, 'refusal', e.code)
                   ORDER BY e.id), '[]'::jsonb)::text AS edits
              FROM procure.price_edits e
              JOIN procure.orders o ON o.supplier_id = e.supplier_id AND o.id = e.order_id
             WHERE o.number = $1
            """, [number])
        return try JSONParser.parse(result.first?["edits"] ?? "[]")
    }
}
