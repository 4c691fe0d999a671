import CLibPQ
import Foundation

/// The rows of one statement, copied out of libpq so nothing dangles after `PQclear`.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [Row]
    /// Rows touched by INSERT/UPDATE/DELETE/COPY, from the command tag.
    public let affectedRows: Int

    init(copying result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        let lookup = ColumnIndex(positions: index)
        rows = (0..<Int(PQntuples(result))).map { row in
            let values: [String?] = (0..<columnCount).map { column in
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
                return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
            return Row(values: values, columns: lookup)
        }
        columns = names
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The only row, or nil when there is none.
    public var first: Row? { rows.first }
}

final class ColumnIndex: Sendable {
    let positions: [String: Int]
    init(positions: [String: Int]) { self.positions = positions }
}

/// One row of text values; typed access decodes on demand.
public struct Row: Sendable {
    public let values: [String?]
    let columns: ColumnIndex

    init(values: [String?], columns: ColumnIndex) {
        self.values = values
        self.columns = columns
    }

    /// The raw text of a column, nil for NULL.
    public subscript(_ position: Int) -> String? {
        values[position]
    }

    public subscript(_ name: String) -> String? {
        columns.positions[name].flatMap { values[$0] }
    }

    /// Decodes a non-NULL column; throws if it is NULL or not of that type.
    public func decode<T: PostgresDecodable>(_ type: T.Type, _ column: String) throws -> T {
        guard let value = try decodeIfPresent(type, column) else {
            throw PostgresError(kind: .client, message: "column \(column) is NULL")
        }
        return value
    }

    /// Decodes a column that may be NULL.
    public func decodeIfPresent<T: PostgresDecodable>(_ type: T.Type, _ column: String) throws -> T? {
        guard let position = columns.positions[column] else {
            throw PostgresError(kind: .client, message: "no column named \(column)")
        }
        guard let text = values[position] else { return nil }
        guard let value = T(postgresText: text) else {
            throw PostgresError(kind: .client, message: "column \(column): cannot read \(text.debugDescription) as \(T.self)")
        }
        return value
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type, at position: Int) throws -> T {
        guard position < values.count, let text = values[position] else {
            throw PostgresError(kind: .client, message: "column \(position) is NULL or missing")
        }
        guard let value = T(postgresText: text) else {
            throw PostgresError(kind: .client, message: "column \(position): cannot read \(text.debugDescription) as \(T.self)")
        }
        return value
    }
}
