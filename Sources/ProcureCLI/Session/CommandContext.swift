import ArgumentParser
import Postgres
import ProcurementStore

/// Options every verb accepts anywhere among its words.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "Act as this user (SET ROLE).")
    var actor: String?

    @Option(help: ArgumentHelp("Output format: table, json or csv.", visibility: .hidden))
    var format: OutputFormat?

    @Option(help: "Idempotency key (verbs that write): the same key again returns the first result and writes nothing.")
    var key: String?
}

/// What a verb gets to do its work.
struct CommandContext {
    let session: Session
    /// `--as` of the line, else of the whole run.
    let actor: String?

    /// Runs `body` in the line's transaction, acting as `actor`.
    func transaction<T>(_ body: (DatabaseClient) throws -> T) throws -> T {
        try session.transaction(actor: actor, body)
    }
}

/// A verb: parsed by swift-argument-parser from a line's words, run against the database.
protocol ProcureCommand: ParsableCommand {
    var common: CommonOptions { get }
    /// True for verbs that only read: their `--key` is accepted and stores nothing (reading
    /// again is harmless, and auditors write nothing, keys included).
    static var readsOnly: Bool { get }
    func execute(in context: CommandContext) throws -> JSONValue
}

extension ProcureCommand {
    static var readsOnly: Bool { false }
}
