import Postgres

/// Turns a command's JSON result into aligned text for people.
/// An array of objects is a table; an object is `field  value` lines, with each nested list
/// of objects (an order's lines, say) printed as a table under its name.
enum TableRenderer {
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .array(let items):
            return table(items)
        case .object(let pairs):
            var scalars: [(String, String)] = []
            var nested: [(String, [JSONValue])] = []
            for (key, field) in pairs {
                if case .array(let items) = field, items.contains(where: { if case .object = $0 { return true } else { return false } }) {
                    nested.append((key, items))
                } else {
                    scalars.append((key, cell(field)))
                }
            }
            let width = scalars.map(\.0.count).max() ?? 0
            var out = scalars.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
            for (key, items) in nested {
                out += (out.isEmpty ? "" : "\n") + "\(key):\n" + table(items)
            }
            return out
        default:
            return cell(value)
        }
    }

    static func table(_ items: [JSONValue]) -> String {
        let (columns, rows) = Tabular.rows(items)
        if rows.isEmpty { return "(no rows)" }
        let widths = columns.indices.map { index in
            max(columns[index].count, rows.map { $0[index].count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { index, pair in
                let (text, width) = pair
                let padding = String(repeating: " ", count: max(0, width - text.count))
                return Tabular.looksNumeric(text) && index > 0 ? padding + text : text + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }

    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array, .object: return value.serialized
        }
    }
}

/// Rows and columns of a list of JSON objects: the columns in order of first appearance.
enum Tabular {
    static func rows(_ items: [JSONValue]) -> (columns: [String], rows: [[String]]) {
        var columns: [String] = []
        for item in items {
            if case .object(let pairs) = item {
                for (key, _) in pairs where !columns.contains(key) { columns.append(key) }
            }
        }
        if columns.isEmpty {
            return (["value"], items.map { [TableRenderer.cell($0)] })
        }
        let rows = items.map { item in columns.map { TableRenderer.cell(item[$0] ?? .null) } }
        return (columns, rows)
    }

    static func looksNumeric(_ text: String) -> Bool {
        guard let first = text.first, first.isNumber || first == "-" else { return false }
        return text.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" } && text.contains(where: \.isNumber)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
