import Foundation
import Postgres

/// One self-contained HTML page for a report: a header with the filters, an inline SVG bar
/// chart (one `<rect>` per row, the totals row excluded) and the table with the totals row in
/// its footer. No scripts, no external assets, CSS inline. The markup is also well-formed XML
/// (every element closed, attributes quoted, only XML's five entities), so XML tools can read it
/// once the `<!DOCTYPE html>` line is removed.
///
/// Bar lengths are computed in `Decimal` from the exact decimal text of the amounts: no binary
/// floating point.
struct HTMLReport {
    let report: ReportName
    /// The report's rows as `procure.report` returns them (columns in order), the last one
    /// being the totals row.
    let rows: [JSONValue]
    /// (label, value) pairs describing the filters.
    let filters: [(String, String)]
    /// The suppliers the reader sees: their names beside their codes, their currencies.
    let suppliers: [Supplier]
    /// When the page was made (text, shown as is).
    let generated: String

    /// Chart geometry, in SVG user units.
    static let labelWidth = 170
    static let barArea = 460
    static let valueWidth = 110
    static let rowHeight = 26
    static let barHeight = 18
    static let top = 10

    struct Supplier {
        let code: String
        let name: String
        let currency: String

        /// `procure.report_suppliers`'s answer.
        static func list(_ value: JSONValue) -> [Supplier] {
            (value.arrayValue ?? []).compactMap { item in
                guard let code = item["code"]?.text, let name = item["name"]?.text else { return nil }
                return Supplier(code: code, name: name, currency: item["currency"]?.text ?? "")
            }
        }
    }

    /// The amounts' currencies: one, or several that the report adds up as plain numbers.
    var currency: String {
        var seen: [String] = []
        for supplier in suppliers where !seen.contains(supplier.currency) { seen.append(supplier.currency) }
        switch seen.count {
        case 0: return "none (no supplier)"
        case 1: return seen[0]
        default: return seen.joined(separator: ", ") + " (a buyer's amounts add up every currency as plain numbers)"
        }
    }

    var dataRows: [JSONValue] { HTMLReport.split(rows).data }
    var totalRow: JSONValue? { HTMLReport.split(rows).total }

    /// The rows and the totals row (the last one, when its first column is "TOTAL").
    static func split(_ rows: [JSONValue]) -> (data: [JSONValue], total: JSONValue?) {
        guard let last = rows.last, case .object(let pairs) = last, pairs.first?.1 == .string("TOTAL") else {
            return (rows, nil)
        }
        return (Array(rows.dropLast()), last)
    }

    func render() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>procure report: \(HTMLText.escape(report.title))</title>
            <style>
            \(HTMLReport.css)
            </style>
            </head>
            <body>
            <h1>\(HTMLText.escape(report.title))</h1>
            <p class="summary">\(HTMLText.escape(report.summary))</p>
            <dl class="filters">

            """
        for (label, value) in filters + [("currency", currency), ("generated", generated)] {
            out += "<dt>\(HTMLText.escape(label))</dt><dd>\(HTMLText.escape(value))</dd>\n"
        }
        out += "</dl>\n"
        out += "<h2>\(HTMLText.escape(report.chartTitle))</h2>\n"
        out += chart() + "\n"
        out += legend() + "\n"
        out += "<h2>Table</h2>\n"
        out += table() + "\n"
        out += """
            <p class="note">Amounts are exact decimals as stored, in the currency above; percentages have 2 \
            decimals; an empty cell is a value that does not apply (no base spend, no open liability). \
            Suppliers are named beside their codes; a buyer is named by its user name. In the liabilities \
            report, owed is what the issuing company owes its suppliers and refunds what suppliers owe it \
            back, kept apart; total is their difference. The columns are described in docs/reports.md.</p>
            </body>
            </html>

            """
        return out
    }

    // MARK: chart

    func chart() -> String {
        let column = report.chartColumn
        let label = report.keyColumn
        let values: [Decimal] = dataRows.map { HTMLReport.decimal($0[column]) }
        let low = min(values.min() ?? 0, 0)
        let high = max(values.max() ?? 0, 0)
        let span = high - low
        let area = Decimal(HTMLReport.barArea)
        /// x of a value, from the left edge of the bar area.
        func position(_ value: Decimal) -> Decimal {
            span == 0 ? 0 : (value - low) / span * area
        }
        let zero = position(0)
        let height = HTMLReport.top * 2 + max(dataRows.count, 1) * HTMLReport.rowHeight
        let width = HTMLReport.labelWidth + HTMLReport.barArea + HTMLReport.valueWidth
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" role="img" aria-label="\(HTMLText.escape(report.chartTitle))">

            """
        svg += "<title>\(HTMLText.escape(report.chartTitle))</title>\n"
        if dataRows.isEmpty {
            svg += "<text x=\"\(HTMLReport.labelWidth)\" y=\"\(HTMLReport.top + 17)\" class=\"empty\">no rows</text>\n"
        }
        let left = Decimal(HTMLReport.labelWidth)
        for (index, row) in dataRows.enumerated() {
            let value = values[index]
            let start = position(min(value, 0))
            let end = position(max(value, 0))
            let y = HTMLReport.top + index * HTMLReport.rowHeight
            let name = HTMLText.escape(row[label]?.text ?? "")
            let shown = HTMLText.escape(row[column]?.text ?? "")
            svg += "<g class=\"row\">"
            svg += "<text class=\"label\" x=\"\(HTMLReport.labelWidth - 8)\" y=\"\(y + 14)\">\(name)</text>"
            svg += "<rect class=\"\(value < 0 ? "bar negative" : "bar")\" x=\"\(HTMLReport.units(left + start))\" "
            svg += "y=\"\(y)\" width=\"\(HTMLReport.units(end - start))\" height=\"\(HTMLReport.barHeight)\">"
            svg += "<title>\(name): \(shown)</title></rect>"
            svg += "<text class=\"value\" x=\"\(HTMLReport.units(left + end + 6))\" y=\"\(y + 14)\">\(shown)</text>"
            svg += "</g>\n"
        }
        // the zero line
        svg += "<line class=\"axis\" x1=\"\(HTMLReport.units(left + zero))\" y1=\"\(HTMLReport.top - 4)\" "
        svg += "x2=\"\(HTMLReport.units(left + zero))\" y2=\"\(height - HTMLReport.top + 4)\" />\n"
        svg += "</svg>"
        return svg
    }

    /// What the chart's colours mean, as swatches of the bars' own colours.
    func legend() -> String {
        let meaning = report.legend
        var out = "<p class=\"legend\"><span class=\"swatch\"></span>\(HTMLText.escape(meaning.positive))"
        if let negative = meaning.negative {
            out += " <span class=\"swatch negative\"></span>\(HTMLText.escape(negative))"
        }
        return out + "</p>"
    }

    // MARK: table

    func table() -> String {
        let columns = report.columns
        var out = "<div class=\"table\">\n<table>\n<thead><tr>"
        for (index, column) in columns.enumerated() {
            // people read "orders revoked"; the exact column name is the cell's title
            let words = column.replacingOccurrences(of: "_", with: " ")
            out += "<th title=\"\(HTMLText.escape(column))\"\(index == 0 ? "" : " class=\"num\"")>\(HTMLText.escape(words))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        if dataRows.isEmpty {
            out += "<tr><td colspan=\"\(columns.count)\" class=\"empty\">no rows</td></tr>\n"
        }
        for row in dataRows {
            out += "<tr>" + cells(row, columns: columns, header: false) + "</tr>\n"
        }
        out += "</tbody>\n"
        if let totalRow {
            out += "<tfoot><tr>" + cells(totalRow, columns: columns, header: true) + "</tr></tfoot>\n"
        }
        out += "</table>\n</div>"
        return out
    }

    private func cells(_ row: JSONValue, columns: [String], header: Bool) -> String {
        columns.enumerated().map { index, column in
            var text = HTMLText.escape(row[column].map(TableRenderer.cell) ?? "")
            if column == "supplier", let supplier = suppliers.first(where: { $0.code == row[column]?.text }) {
                text += " <span class=\"name\">\(HTMLText.escape(supplier.name))</span>"
            }
            let tag = header && index == 0 ? "th" : "td"
            return "<\(tag)\(index == 0 ? "" : " class=\"num\"")>\(text)</\(tag)>"
        }.joined()
    }

    // MARK: helpers

    /// The exact decimal of a JSON string or number; 0 for anything else (null).
    static func decimal(_ value: JSONValue?) -> Decimal {
        guard let text = value?.text, let number = Decimal(postgresText: text) else {
            return 0
        }
        return number
    }

    /// An SVG coordinate: rounded to 2 decimals, plain notation.
    static func units(_ value: Decimal) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 2, .plain)
        return NSDecimalNumber(decimal: rounded).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }

    static let css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 2em auto; max-width: 1400px; padding: 0 1em; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; }
        h2 { font-size: 1.1em; margin-top: 1.6em; color: #394257; }
        p.summary { margin-top: 0; color: #4b5468; }
        dl.filters { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; font-size: 0.9em; color: #4b5468; }
        dl.filters dt { font-weight: 600; }
        dl.filters dd { margin: 0; }
        svg.chart { display: block; max-width: 100%; height: auto; font-size: 13px; }
        svg.chart .label { text-anchor: end; fill: #1d2330; }
        svg.chart .value { fill: #394257; font-variant-numeric: tabular-nums; }
        svg.chart .bar { fill: #3b7dd8; }
        svg.chart .bar.negative { fill: #d8613b; }
        svg.chart .axis { stroke: #8a93a6; stroke-width: 1; }
        svg.chart .empty { fill: #8a93a6; }
        p.legend { font-size: 0.88em; color: #394257; margin: 0.3em 0 0 0; }
        p.legend .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.35em 0 0; vertical-align: -0.1em; background: #3b7dd8; }
        p.legend .swatch.negative { margin-left: 1.2em; background: #d8613b; }
        td .name { color: #4b5468; }
        div.table { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 0.92em; font-variant-numeric: tabular-nums; }
        th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #d9dde5; text-align: left; white-space: nowrap; }
        thead th { background: #eef1f6; border-bottom: 2px solid #b9c0cd; white-space: normal; vertical-align: bottom; max-width: 7em; }
        tfoot th, tfoot td { font-weight: 700; border-top: 2px solid #b9c0cd; border-bottom: none; }
        .num { text-align: right; }
        td.empty { color: #8a93a6; text-align: center; }
        p.note { font-size: 0.85em; color: #6b7386; margin-top: 1.5em; }
        """
}
