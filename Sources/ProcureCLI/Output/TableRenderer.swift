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
            return block(pairs, indent: "")
        default:
            return cell(value)
        }
    }

    /// `field  value` lines, numbers right-aligned among themselves; then each nested object
    /// (a correction) as an indented block and each list (an order's lines, its payments) as a
    /// table of its own under its name.
    static func block(_ pairs: [(String, JSONValue)], indent: String) -> String {
        var scalars: [(String, String)] = []
        var nested: [String] = []
        for (key, field) in pairs {
            switch field {
            case .array(let items) where items.isEmpty:
                nested.append(indent + "\(key): (none)")
            case .array(let items) where items.contains(where: \.isObject):
                nested.append(indent + "\(key):\n" + table(items).split(separator: "\n").map { indent + $0 }.joined(separator: "\n"))
            case .object(let inner) where inner.isEmpty:
                nested.append(indent + "\(key): (none)")
            case .object(let inner):
                nested.append(indent + "\(key):\n" + block(inner, indent: indent + "  "))
            default:
                scalars.append((key, cell(field)))
            }
        }
        let width = scalars.map(\.0.count).max() ?? 0
        let numberWidth = scalars.map(\.1).filter(Tabular.looksNumeric).map(\.count).max() ?? 0
        let lines = scalars.map { key, text in
            let shown = Tabular.looksNumeric(text) ? String(repeating: " ", count: numberWidth - text.count) + text : text
            return (indent + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown).trimmingTrailingSpaces()
        }
        return (lines + nested).joined(separator: "\n")
    }

    static func table(_ items: [JSONValue]) -> String {
        let (columns, rows) = Tabular.rows(items)
        if rows.isEmpty { return "(no rows)" }
        let widths = columns.indices.map { index in
            max(columns[index].count, rows.map { $0[index].count }.max() ?? 0)
        }
        func line(_ cells: [String], header: Bool = false) -> String {
            zip(cells, widths).map { text, width in
                let padding = String(repeating: " ", count: max(0, width - text.count))
                return !header && Tabular.looksNumeric(text) ? padding + text : text + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(columns, header: true), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map { line($0) }
        return out.joined(separator: "\n")
    }

    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return Timestamp.shown(text)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .array, .object: return value.serialized
        }
    }
}

/// One style for every time printed for people: ISO 8601 with microseconds (always six digits)
/// and the zone, as `2026-12-01T22:28:01.484000+00:00`, whichever verb printed it.
enum Timestamp {
    static func shown(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SS[.f…](+|-)HH:MM
        guard bytes.count >= 25, bytes.count <= 32, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":") else { return text }
        let zoneStart = bytes.count - 6
        guard bytes[zoneStart] == UInt8(ascii: "+") || bytes[zoneStart] == UInt8(ascii: "-"),
              bytes[zoneStart + 3] == UInt8(ascii: ":") else { return text }
        let seconds = String(decoding: bytes[0..<19], as: UTF8.self)
        var fraction = bytes.count > 25 && bytes[19] == UInt8(ascii: ".") ? String(decoding: bytes[20..<zoneStart], as: UTF8.self) : ""
        guard zoneStart == 19 || bytes[19] == UInt8(ascii: "."), fraction.allSatisfy(\.isNumber), fraction.count <= 6 else { return text }
        fraction += String(repeating: "0", count: 6 - fraction.count)
        return seconds + "." + fraction + String(decoding: bytes[zoneStart...], as: UTF8.self)
    }
}

extension JSONValue {
    var isObject: Bool {
        if case .object = self { return true }
        return false
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

    /// A plain decimal (the one grammar): such cells are right-aligned.
    static func looksNumeric(_ text: String) -> Bool {
        DecimalGrammar.accepts(text)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
