import Foundation
import ArgumentParser
import Postgres
import ProcurementStore

struct HistoryCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", _superCommandName: "procure", abstract: "An order's full audit trail: who, when, what, old → new.",
        discussion: "Examples:\n  procure history PO-1\n  procure --format json history PO-1-R1")
    static let readsAhead = true
    @Argument(help: ArgumentHelp("Order number.", valueName: "order")) var number: String
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let rows = try context.call { try $0.history(number) }
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
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The append-only audit log.", subcommands: [AuditVerify.self, AuditCheckpoint.self])
}

struct AuditVerify: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", _superCommandName: "procure", abstract: "Recompute every hash chain of the audit log and name the first bad row.",
        discussion: """
            With --checkpoint FILE (written by `audit checkpoint --out FILE`), also prove that nothing \
            up to the checkpoint's chain heads was rewritten since, even with every hash recomputed.

            Examples:
              procure audit verify
              procure audit verify --checkpoint audit-2026-12-01.json
            """)
    @Option(help: ArgumentHelp("A checkpoint file written by `audit checkpoint --out`.", valueName: "file")) var checkpoint: String?
    @OptionGroup var common: ReadOptions

    func validate() throws {
        if let checkpoint, checkpoint.isEmpty { throw ValidationError("--checkpoint needs a file name") }
    }

    func execute(in context: CommandContext) throws -> JSONValue {
        let result: JSONValue
        if let checkpoint {
            let saved = try Self.read(checkpoint)
            result = try context.call { try $0.auditVerifyCheckpoint(saved) }
        } else {
            result = try context.call { try $0.auditVerify() }
        }
        if result["first_bad"].map({ $0 != .null }) == true {
            let bad = result["first_bad"].map { TableRenderer.cell($0) } ?? "?"
            throw ProcureError(.invalidState, "audit chain broken at \(bad)")
        }
        if result["checkpoint"]?["ok"] == .bool(false) {
            let bad = result["checkpoint"]?["first_bad"].map { TableRenderer.cell($0) } ?? "?"
            throw ProcureError(.invalidState, "audit log rewritten since the checkpoint \(checkpoint ?? ""): \(bad)")
        }
        return result
    }

    static func read(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProcureError(.invalidArgument, "--checkpoint \(path): cannot read the file")
        }
        do {
            return try JSONParser.parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw ProcureError(.invalidArgument, "--checkpoint \(path): not an audit checkpoint (not JSON)")
        }
    }
}

struct AuditCheckpoint: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", _superCommandName: "procure", abstract: "A digest of every audit chain's head, to keep outside the database.",
        discussion: """
            Keep the file (or at least its digest) where the database's superuser cannot reach it; \
            `audit verify --checkpoint FILE` later proves that nothing up to it was rewritten.

            Examples:
              procure audit checkpoint
              procure audit checkpoint --out audit-2026-12-01.json
            """)
    @Option(help: ArgumentHelp("Write the checkpoint to this file (JSON) instead of printing it.", valueName: "file"))
    var out: String?
    @OptionGroup var common: ReadOptions

    func validate() throws {
        if let out, out.isEmpty { throw ValidationError("--out needs a file name") }
    }

    func execute(in context: CommandContext) throws -> JSONValue {
        let checkpoint = try context.call { try $0.auditCheckpoint() }
        guard let out else { return checkpoint }
        do {
            try Data((checkpoint.serialized + "\n").utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw ProcureError(.invalidArgument, "audit checkpoint: cannot write \(out): \(error.localizedDescription)")
        }
        return .object([
            ("written", .string(out)), ("taken_at", checkpoint["taken_at"] ?? .null),
            ("chains", checkpoint["chains"] ?? .null), ("rows", checkpoint["rows"] ?? .null),
            ("digest", checkpoint["digest"] ?? .null),
        ])
    }
}

struct NoteCommand: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", _superCommandName: "procure", abstract: "Add a progress note to an order's correction case.",
        discussion: "Example:\n  procure note PO-1 \"supplier sent its stock list\"")
    @Argument(help: ArgumentHelp("The revoked order's number.", valueName: "order")) var number: String
    @Argument(help: ArgumentHelp("The note (quote it when it has blanks).", valueName: "text")) var text: String
    @OptionGroup var common: CommonOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        try context.call { try $0.noteAdd(number: number, text: text) }
    }
}
