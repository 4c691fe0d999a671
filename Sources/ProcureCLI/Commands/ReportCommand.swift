import ArgumentParser
import Foundation
import Postgres
import ProcurementStore

/// The reports (docs/reports.md). Each is a set-returning SQL function and a view in `sql/`;
/// the verb calls `procure.report(name, from, to, buyer, supplier)`.
enum ReportName: String, ExpressibleByArgument, CaseIterable, Sendable {
    case priceCompliance = "price-compliance"
    case corrections
    case liabilities

    /// The report's columns, in the order of its SQL function (jsonb does not keep key order).
    var columns: [String] {
        switch self {
        case .priceCompliance:
            return ["buyer", "orders", "lines", "spend", "base_spend", "savings", "savings_pct",
                    "edited_lines", "refused_edits", "max_above_base"]
        case .corrections:
            return ["buyer", "orders_issued", "orders_revoked", "revocation_rate", "wrong_quantity", "wrong_item",
                    "wrong_price", "wrong_supplier", "wrong_date", "duplicate", "other", "liability_total"]
        case .liabilities:
            return ["supplier", "open_count", "open_total", "claimed_count", "claimed_total", "agreed_count", "agreed_total", "settled_count",
                    "settled_total", "total_count", "total", "owed", "refunds", "oldest_open_days"]
        }
    }

    /// The first column: what a row is about. The totals row has "TOTAL" there.
    var keyColumn: String { columns[0] }

    var title: String {
        switch self {
        case .priceCompliance: return "Price compliance"
        case .corrections: return "Corrections"
        case .liabilities: return "Liabilities"
        }
    }

    var summary: String {
        switch self {
        case .priceCompliance:
            return "Buyer appraisal: each buyer's orders (not drafts) against the supplier price list in force on the order date."
        case .corrections:
            return "Orders issued and revoked per buyer, the reasons for revoking them and the liability they left."
        case .liabilities:
            return "Liabilities of revoked orders per supplier, by status, with the age of the oldest open one."
        }
    }

    /// The column the HTML page charts, one bar per row.
    var chartColumn: String {
        switch self {
        case .priceCompliance: return "savings"
        case .corrections: return "orders_revoked"
        case .liabilities: return "open_total"
        }
    }

    var chartTitle: String {
        switch self {
        case .priceCompliance: return "Savings per buyer (base spend − spend)"
        case .corrections: return "Revoked orders per buyer"
        case .liabilities: return "Open liability per supplier"
        }
    }

    /// What the chart's two colours mean: a value above zero, and one below (nil: never).
    var legend: (positive: String, negative: String?) {
        switch self {
        case .priceCompliance:
            return ("saved against the supplier's base price", "paid above the base price (never: the database refuses it)")
        case .corrections: return ("orders revoked", nil)
        case .liabilities: return ("owed to the supplier (open liabilities)", "refund the supplier owes (open liabilities)")
        }
    }

    /// Which date the period filters: shown on the HTML page.
    var periodDate: String {
        self == .liabilities ? "revocation date" : "order date"
    }
}

struct ReportCommand: ProcureCommand {
    static let ordersItsFields = true
    static let configuration = CommandConfiguration(
        commandName: "report", _superCommandName: "procure",
        abstract: "Reports: price-compliance (buyer appraisal), corrections (per buyer), liabilities (per supplier).",
        discussion: """
            Rows come with a last "TOTAL" row in every format. Period filters are inclusive and apply \
            to the order date (price-compliance, corrections) or the revocation date (liabilities). \
            --html FILE writes one self-contained HTML page (the table and a bar chart) instead of \
            printing the rows. The same reports are SQL views for psql: see docs/reports.md.

            Examples:
              procure report price-compliance --from 2026-01-01 --to 2026-06-30
              procure report liabilities --html liabilities.html
            """)

    @Argument(help: ArgumentHelp("price-compliance, corrections or liabilities.", valueName: "report")) var name: ReportName
    @Option(help: ArgumentHelp("From this date (inclusive).", valueName: "YYYY-MM-DD")) var from: PostgresDate?
    @Option(help: ArgumentHelp("To this date (inclusive).", valueName: "YYYY-MM-DD")) var to: PostgresDate?
    @Option(help: ArgumentHelp("Only this buyer's orders.", valueName: "user")) var buyer: String?
    @Option(help: ArgumentHelp("Only this supplier.", valueName: "code")) var supplier: String?
    @Option(help: ArgumentHelp("Write the report as an HTML page with a bar chart to this file.", valueName: "file"))
    var html: String?
    @OptionGroup var common: ReadOptions

    func validate() throws {
        if let from, let to, from > to {
            throw ValidationError("--from \(from) is after --to \(to)")
        }
        if let html, html.isEmpty {
            throw ValidationError("--html needs a file name")
        }
    }

    func execute(in context: CommandContext) throws -> JSONValue {
        let result = try context.call { try $0.report(name.rawValue, from: from, to: to, buyer: buyer, supplier: supplier) }
        let rows = (result.arrayValue ?? []).map { ReportRows.ordered($0, columns: name.columns) }
        guard let html else { return .array(rows) }

        let suppliers = try context.call { try $0.reportSuppliers(supplier) }
        let page = HTMLReport(
            report: name, rows: rows, filters: filters, suppliers: HTMLReport.Supplier.list(suppliers),
            generated: ISO8601DateFormatter().string(from: Date())
        ).render()
        try HTMLText.write(page, to: html, for: "report \(name.rawValue)")
        let dataRows = HTMLReport.split(rows).data.count
        return .object([
            ("report", .string(name.rawValue)), ("written", .string(html)), ("rows", .number(String(dataRows))),
        ])
    }

    /// The filters as given, for the page's header.
    var filters: [(String, String)] {
        var out: [(String, String)] = []
        if from != nil || to != nil {
            out.append((name.periodDate, "\(from?.description ?? "…") to \(to?.description ?? "…")"))
        } else {
            out.append((name.periodDate, "all"))
        }
        if let buyer { out.append(("buyer", buyer)) }
        if let supplier { out.append(("supplier", supplier)) }
        return out
    }
}

enum ReportRows {
    /// The object's keys in the report's column order, any others after them.
    static func ordered(_ value: JSONValue, columns: [String]) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        let known = columns.compactMap { column in pairs.first { $0.0 == column } }
        let rest = pairs.filter { !columns.contains($0.0) }
        return .object(known + rest)
    }
}
