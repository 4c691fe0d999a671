import Postgres

/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, quote,
/// CR or LF. Numbers stay exact decimal text.
enum CSVRenderer {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .array(let items):
            let (columns, rows) = Tabular.rows(items)
            return ([columns] + rows).map(line).joined()
        case .object(let pairs):
            // One record: nested lists are kept as JSON text in their cell.
            return line(pairs.map(\.0)) + line(pairs.map { TableRenderer.cell($0.1) })
        default:
            return line(["value"]) + line([TableRenderer.cell(value)])
        }
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
