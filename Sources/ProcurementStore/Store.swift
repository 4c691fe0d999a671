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
        guard let text = result.first?["result"] else { return .null }
        return try JSONParser.parse(text)
    }

    /// Sets the acting role for the current transaction (`SET LOCAL ROLE`, parameterised),
    /// or the session's own role when `name` is nil.
    public func actAs(_ name: String?) throws {
        try connection.query("SELECT set_config('role', $1, true)", [name ?? "none"])
    }
}
