import ArgumentParser
import Postgres
import ProcurementStore

/// A document for the supplier: its content is one JSON object from the database, printed like
/// any verb's result, or with `--html FILE` written as a print-ready page.
protocol DocumentCommand: ProcureCommand {
    static var template: DocumentPage.Template { get }
    /// The fields in the order a table shows them (jsonb keeps no order); the rest follow.
    static var keyOrder: [String] { get }
    var number: String { get }
    var options: DocumentOptions { get }
    func document(_ database: DatabaseClient) throws -> JSONValue
}

extension DocumentCommand {
    func execute(in context: CommandContext) throws -> JSONValue {
        let (lang, html) = (options.lang, options.html)
        let (document, words) = try context.transaction { database -> (JSONValue, JSONValue) in
            let document = try self.document(database)
            let words = html == nil ? JSONValue.null : try database.documentWords(language: options.lang)
            return (document, words)
        }
        let ordered = DocumentOutput.ordered(document, keys: Self.keyOrder)
        guard let html else { return ordered }
        try HTMLText.write(DocumentPage.render(Self.template, document: document, words: words), to: html,
                           for: "\(Self._commandName) \(number)")
        return .object([("document", .string(Self.template.rawValue)), ("number", .string(number)),
                        ("lang", .string(lang)), ("written", .string(html))])
    }
}

/// The options every document takes.
struct DocumentOptions: ParsableArguments {
    @Option(help: "Language of the document: en or zh (labels and dates; names and notes as entered).")
    var lang = "en"
    @Option(help: ArgumentHelp("Write the document as one self-contained, print-ready HTML page (A4) to this file.",
                               valueName: "file"))
    var html: String?

    func validate() throws {
        if let html, html.isEmpty { throw ValidationError("--html needs a file name") }
    }
}

enum DocumentOutput {
    /// The fields of a document's order lines, as its tables show them.
    static let lineKeys = [
        "line", "sku", "item", "qty", "uom", "price", "amount", "stage", "stage_text", "finished", "in_progress",
        "reused", "terminated",
    ]

    /// The object's keys in the given order, the rest after them by name; lists of lines likewise.
    static func ordered(_ value: JSONValue, keys: [String]) -> JSONValue {
        guard case .object(let pairs) = value else { return value }
        let known = keys.compactMap { key in pairs.first { $0.0 == key } }
        let rest = pairs.filter { !keys.contains($0.0) }.sorted { $0.0 < $1.0 }
        return .object((known + rest).map { key, field in
            guard case .array(let items) = field else { return (key, field) }
            return (key, .array(items.map { ordered($0, keys: lineKeys) }))
        })
    }
}

struct NoticeCommand: DocumentCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice", _superCommandName: "procure",
        abstract: "The revocation notice (撤销说明) of a revoked order, for its supplier.",
        discussion: """
            The issuing company (setting set company.name …), the supplier, the revoked order with the \
            production on record per line, the reason and note, the replacement order, the claim deadline \
            and how to claim, and the liability. --lang zh prints it in Chinese; --html FILE writes one \
            self-contained page that prints on A4.

            Examples:
              procure notice PO-1
              procure notice PO-1 --lang zh --html notice.html
            """)
    static let template = DocumentPage.Template.notice
    static let keyOrder = [
        "document", "lang", "title", "order", "supplier", "supplier_name", "buyer", "company", "company_address",
        "company_contact", "order_date", "order_date_text", "revoked_at", "revoked_at_text", "reason", "reason_text",
        "note", "replacement", "replacement_revision", "replacement_text", "replacement_date", "replacement_date_text",
        "replacement_elsewhere", "replacement_total", "claim_deadline", "claim_deadline_text", "review_deadline",
        "review_deadline_text", "how_to_claim", "currency", "order_total", "regime", "regime_text", "finished",
        "costs", "profit", "cap", "capped", "saved", "settlement", "credits", "payments", "total", "refund",
        "status", "status_text", "in_production",
    ]

    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @OptionGroup var options: DocumentOptions
    @OptionGroup var common: ReadOptions

    func document(_ database: DatabaseClient) throws -> JSONValue {
        try database.notice(number: number, language: options.lang)
    }
}

struct OrderDocument: DocumentCommand {
    static let configuration = CommandConfiguration(
        commandName: "document", _superCommandName: "procure",
        abstract: "The order as a document for its supplier; a replacement shows its revision and the order it replaces.",
        discussion: "Examples:\n  procure po document PO-1\n  procure po document PO-1-R1 --lang zh --html PO-1-R1.html")
    static let template = DocumentPage.Template.order
    static let keyOrder = [
        "document", "lang", "title", "number", "status", "status_text", "supplier", "supplier_name", "buyer",
        "company", "company_address", "company_contact", "date", "date_text", "revision", "replaces",
        "revision_text", "revoked_at", "revoked_at_text", "currency", "total",
    ]

    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var options: DocumentOptions
    @OptionGroup var common: ReadOptions

    func document(_ database: DatabaseClient) throws -> JSONValue {
        try database.poDocument(number: number, language: options.lang)
    }
}

struct SettingGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setting", abstract: "Settings printed on documents: the issuing company (admins set them).",
        subcommands: [SettingSet.self, SettingList.self])
}

struct SettingSet: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", _superCommandName: "procure",
        abstract: "Set company.name, company.address or company.contact (admins); an empty value removes it.",
        discussion: "Examples:\n  procure setting set company.name \"Shanghai Example Trading Co., Ltd. 上海示例贸易有限公司\"\n  procure setting set company.contact \"\"")
    @Argument(help: ArgumentHelp("company.name, company.address or company.contact.", valueName: "key")) var key: String
    @Argument(help: ArgumentHelp("The value, as it prints.", valueName: "value")) var value: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.settingSet(key: key, value: value) }
    }
}

struct SettingList: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", _superCommandName: "procure", abstract: "Every setting, set or not.", discussion: "Examples:\n  procure setting list\n  procure --format json setting list")
    static let readsAhead = true
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.settingList() }
    }
}
