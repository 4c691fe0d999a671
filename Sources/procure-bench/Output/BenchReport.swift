import Postgres

/// Prints a run's result: the JSON object itself, CSV of the measurements, or for people the
/// run's facts followed by the measurements, the load phases and the details as aligned tables.
enum BenchReport {
    static func render(_ report: JSONValue, as format: BenchFormat) -> String {
        switch format {
        case .json:
            return report.withDecimalsAsStrings.serialized + "\n"
        case .csv:
            let (columns, rows) = grid(report["results"]?.arrayValue ?? [])
            return ([columns] + rows).map { $0.map(csvField).joined(separator: ",") + "\r\n" }.joined()
        case .table:
            guard case .object(let pairs) = report else { return cell(report) + "\n" }
            let facts = pairs.filter { if case .array = $0.1 { return false } else { return true } }
            let width = facts.map(\.0.count).max() ?? 0
            var out = facts.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + cell($0.1) }
            for (key, value) in pairs {
                guard case .array(let items) = value else { continue }
                out += ["", key + ":"] + aligned(items)
            }
            return out.joined(separator: "\n") + "\n"
        }
    }

    /// The columns (in order of first appearance) and the cells of a list of objects.
    private static func grid(_ items: [JSONValue]) -> (columns: [String], rows: [[String]]) {
        var columns: [String] = []
        for case .object(let pairs) in items {
            for (key, _) in pairs where !columns.contains(key) { columns.append(key) }
        }
        return (columns, items.map { item in columns.map { cell(item[$0] ?? .null) } })
    }

    private static func aligned(_ items: [JSONValue]) -> [String] {
        let (columns, rows) = grid(items)
        if rows.isEmpty { return ["(none)"] }
        let widths = columns.indices.map { index in
            max(columns[index].count, rows.map { $0[index].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            var text = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
    }

    private static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array, .object: return value.serialized
        }
    }

    private static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
