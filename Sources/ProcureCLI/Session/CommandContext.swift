import ArgumentParser
import Postgres
import ProcurementStore

/// Options every verb accepts anywhere among its words.
protocol LineOptions: ParsableArguments {
    var actor: String? { get set }
    var format: OutputFormat? { get set }
    var key: String? { get set }
}

/// The options of a verb that writes.
struct CommonOptions: LineOptions {
    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this procure user (SET ROLE).", valueName: "user"))
    var actor: String?

    @Option(help: ArgumentHelp("Output format: table, json or csv.", visibility: .hidden))
    var format: OutputFormat?

    @Option(help: ArgumentHelp("Idempotency key: the same key again returns the first result and writes nothing.", valueName: "key"))
    var key: String?
}

/// The options of a verb that reads, or whose work a key could not repeat (`db start`): its
/// `--key` is accepted, so that a batch may key every line alike, and stores nothing (reading
/// again is harmless, and auditors write nothing, keys included); help does not offer it.
struct ReadOptions: LineOptions {
    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this procure user (SET ROLE).", valueName: "user"))
    var actor: String?

    @Option(help: ArgumentHelp("Output format: table, json or csv.", visibility: .hidden))
    var format: OutputFormat?

    @Option(help: ArgumentHelp("Ignored: reading stores nothing under a key.", visibility: .hidden))
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

    /// Runs `body`, which makes exactly one database call, in the line's transaction: one
    /// round trip in all.
    func call<T>(_ body: (DatabaseClient) throws -> T) throws -> T {
        try session.transaction(actor: actor, oneCall: true, body)
    }
}

/// A verb: parsed by swift-argument-parser from a line's words, run against the database.
protocol ProcureCommand: ParsableCommand {
    associatedtype Options: LineOptions
    var common: Options { get }
    /// True for a verb whose result comes in an order of its own (a report's documented
    /// columns); every other result is put in `FieldOrder`'s order.
    static var ordersItsFields: Bool { get }
    /// True for a verb that only reads, in one call (`context.call`) and with nothing done
    /// before it: a batch may send its transaction ahead of its turn (`BatchRunner`).
    static var readsAhead: Bool { get }
    func execute(in context: CommandContext) throws -> JSONValue
}

extension ProcureCommand {
    /// True for verbs with `ReadOptions`: their `--key` stores nothing.
    static var readsOnly: Bool { Options.self == ReadOptions.self }
    static var ordersItsFields: Bool { false }
    static var readsAhead: Bool { false }
}
