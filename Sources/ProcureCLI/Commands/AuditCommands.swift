import ArgumentParser
import Postgres
import ProcurementStore

struct HistoryCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "An order's full audit trail: who, when, what, old → new.",
        discussion: "Examples:\n  procure history PO-1\n  procure --format json history PO-1-R1")
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let rows = try context.transaction { try $0.history(number) }
        return .array((rows.arrayValue ?? []).map(HistoryCommand.summarise))
    }

    /// One audit row as people read it: who, when, what, and only the fields that changed.
    static func summarise(_ row: JSONValue) -> JSONValue {
        var pairs: [(String, JSONValue)] = []
        for key in ["seq", "at", "actor", "table", "entity", "op"] {
            pairs.append((key, row[key] ?? .null))
        }
        pairs.append(("changes", .string(changes(old: row["old"] ?? .null, new: row["new"] ?? .null))))
        return .object(pairs)
    }

    static func changes(old: JSONValue, new: JSONValue) -> String {
        func fields(_ value: JSONValue) -> [(String, JSONValue)] {
            if case .object(let pairs) = value { return pairs }
            return []
        }
        let before = Dictionary(fields(old), uniquingKeysWith: { first, _ in first })
        let after = fields(new)
        if after.isEmpty { return "deleted" }
        let shown = after.filter { key, value in
            if key.hasSuffix("_id") || key == "id" || key == "inputs" || key == "result" { return false }
            return before.isEmpty ? value != .null : before[key] != value
        }
        return shown.map { key, value in
            before.isEmpty ? "\(key)=\(TableRenderer.cell(value))"
                : "\(key): \(TableRenderer.cell(before[key] ?? .null)) → \(TableRenderer.cell(value))"
        }.joined(separator: "; ")
    }
}

struct AuditGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The append-only audit log.", subcommands: [AuditVerify.self])
}

struct AuditVerify: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute every hash chain of the audit log and name the first bad row.",
        discussion: "Example:\n  procure audit verify")
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let result = try context.transaction { try $0.auditVerify() }
        if result["ok"] == .bool(false) {
            let bad = result["first_bad"].map { TableRenderer.cell($0) } ?? "?"
            throw ProcureError(.invalidState, "audit chain broken at \(bad)")
        }
        return result
    }
}

struct NoteCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Add a progress note to an order's correction case.",
        discussion: "Example:\n  procure note PO-1 \"supplier sent its stock list\"")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("The note (quote it when it has blanks).", valueName: "text")) var text: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.transaction { try $0.noteAdd(number: number, text: text) }
    }
}
