import ArgumentParser
import Postgres
import ProcurementStore

/// Parses one line's words with swift-argument-parser and runs the verb.
struct LineRunner {
    let session: Session
    /// `--as` given before the verb on the command line, for lines that don't say.
    let defaultActor: String?

    /// Parses and runs one line: `prepare`, then `execute`, then the result in field order.
    func run(_ lineWords: [String]) -> (LineOutcome, OutputFormat?) {
        let answer = execute(prepare(lineWords))
        return (answer.printable, answer.format)
    }

    /// The line made ready without the database: its verb parsed, or its answer when it needs
    /// none (a usage error, help). Touches nothing but swift-argument-parser, so a batch may
    /// prepare its next lines while this one runs.
    func prepare(_ lineWords: [String]) -> PreparedLine {
        // PostgreSQL text cannot hold NUL, and libpq would cut the value at it: refuse the line.
        if let bad = lineWords.first(where: { $0.contains("\0") }) {
            let shown = bad.replacingOccurrences(of: "\0", with: "\\0")
            return .answered(.failure(ProcureError(.invalidArgument, "\(shown.prefix(80).debugDescription) contains a NUL byte")))
        }
        let actor: String?
        let words: [String]
        do {
            (actor, words) = try LineRunner.takingActor(from: lineWords)
        } catch {
            return .answered(.failure(ProcureError(.invalidArgument, "\(error)")))
        }
        let parsed: ParsableCommand
        do {
            parsed = try ProcureCommandLine.parseLine(words)
        } catch {
            if ProcureCommandLine.exitCode(for: error) == .success {
                return .answered(.help(ProcureCommandLine.fullMessage(for: error)))
            }
            return .answered(.failure(ProcureError(.invalidArgument, ProcureCommandLine.usageMessage(for: error, words: words))))
        }
        if parsed is RunFileCommand {
            return .answered(.failure(ProcureError(.invalidArgument, "`run FILE` runs a batch from the command line, not from within one")))
        }
        guard let command = parsed as? any ProcureCommand else {
            // `VERB --help` parses as swift-argument-parser's help command, and a group such as
            // `po` without a verb as the group: running either throws the request for the right
            // help text.
            var helper = parsed
            do {
                try helper.run()
            } catch {
                return .answered(.help(ProcureCommandLine.fullMessage(for: error)))
            }
            return .answered(.help(ProcureCommandLine.helpMessage()))
        }
        return .verb(command, actor: actor, words: words)
    }

    /// Runs a prepared line's verb against the database (the line's transaction).
    func execute(_ prepared: PreparedLine) -> LineAnswer {
        switch prepared {
        case .answered(let outcome):
            return LineAnswer(outcome: outcome, format: nil, inFieldOrder: true)
        case .verb(let command, let actor, let words):
            let context = CommandContext(session: session, actor: actor ?? defaultActor)
            let outcome: LineOutcome
            if let key = command.common.key, !type(of: command).readsOnly {
                outcome = LineRunner.outcome { try LineRunner.idempotent(command, key: key, words: words, context: context) }
            } else {
                outcome = LineRunner.outcome { try command.execute(in: context) }
            }
            return LineAnswer(outcome: outcome, format: command.common.format, inFieldOrder: type(of: command).ordersItsFields)
        }
    }

    /// Runs lines of verbs that read in one round trip, as `execute` runs them one by one, but
    /// with their transactions sent to the server together: each line's transaction is found
    /// by running the line with nothing sent (`capturedTransaction`), all of them are sent
    /// (`sendAhead`), and each line then runs for real and reads its own results. A line whose
    /// first round trip is not one whole transaction ends the read-ahead: it and the rest run at
    /// their turn. Anything left unread is settled before returning.
    func executeReadingAhead(_ lines: [PreparedLine]) -> [LineAnswer] {
        guard lines.count > 1, !session.atomic, let database = try? session.client() else { return lines.map(execute) }
        var transactions: [[Connection.Statement]] = []
        for line in lines {
            guard let captured = database.capturedTransaction({ _ = execute(line) }) else { break }
            transactions.append(captured)
        }
        // a read-ahead that cannot be sent closes the connection: the lines then run at their
        // turn, on a new one
        if transactions.count > 1 { try? database.sendAhead(transactions) }
        defer { try? database.settleReadAhead() }
        return lines.map(execute)
    }

    /// `--as NAME` (or `--as=NAME`) anywhere among a line's words up to a `--`: before the verb,
    /// between a group and its verb (`po --as bob show PO-1`) or among the verb's arguments.
    /// Taken out before the verb is parsed, so every verb and group accepts it in any place.
    /// Naming two different users is a usage error; naming one twice is harmless.
    static func takingActor(from words: [String]) throws -> (actor: String?, rest: [String]) {
        var actor: String?
        var rest: [String] = []
        rest.reserveCapacity(words.count)
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            if word == "--" {
                rest.append(contentsOf: words[index...])
                break
            }
            var named: String?
            if word == "--as" {
                guard index + 1 < words.endIndex else { throw CLIError.usage("--as needs a user name") }
                named = words[index + 1]
                index += 2
            } else if word.hasPrefix("--as=") {
                named = String(word.dropFirst("--as=".count))
                index += 1
            } else {
                rest.append(word)
                index += 1
                continue
            }
            guard let name = named, !name.isEmpty else { throw CLIError.usage("--as needs a user name") }
            if let actor, actor != name { throw CLIError.usage("--as names two users on one line: \(actor) and \(name)") }
            actor = name
        }
        return (actor, rest)
    }

    /// `--key K` on a verb that writes: in one transaction, return the result the same user
    /// stored under K, or run the verb and store its result under K. A re-run of a batch after a
    /// crash therefore repeats nothing. Keys are per user (another user's K is another key). Two
    /// clients racing with one key: the loser hits the key's primary key, its transaction
    /// retries and then finds the winner's result.
    static func idempotent(_ command: any ProcureCommand, key: String, words: [String], context: CommandContext) throws -> JSONValue {
        let verb = type(of: command)._commandName
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try context.transaction { database in
                    if let prior = try database.idempotentResult(key: key, verb: verb) { return try JSONParser.parse(prior) }
                    let result = try command.execute(in: context)
                    try database.idempotentSave(key: key, verb: verb, result: result.serialized)
                    return result
                }
            } catch let error as PostgresError where error.code == .uniqueViolation && attempt < 3 {
                continue
            }
        }
    }

    /// Runs a command body and maps every error to a stable code.
    static func outcome(_ body: () throws -> JSONValue) -> LineOutcome {
        do {
            return .success(try body())
        } catch let error as ProcureError {
            return .failure(error)
        } catch let error as PostgresError {
            return .failure(ProcureError(error))
        } catch let error as CLIError {
            return .failure(ProcureError(.invalidArgument, error.description))
        } catch let error as DryRun {
            return .success(error.result)
        } catch {
            return .failure(ProcureError(.internalError, String(describing: error)))
        }
    }
}

/// Thrown to roll back a `--dry-run` while still returning what it would have done.
struct DryRun: Error {
    let result: JSONValue
}

/// A line ready to run: its verb with the line's `--as` and words, or the answer it already has.
enum PreparedLine {
    case verb(any ProcureCommand, actor: String?, words: [String])
    case answered(LineOutcome)

    /// A line of a verb that reads in one round trip (`ProcureCommand.readsAhead`).
    var readsAhead: Bool {
        guard case .verb(let command, _, _) = self else { return false }
        return type(of: command).readsAhead
    }
}

/// What a line's run gave: the outcome, the line's own `--format`, if it gave one, and whether
/// the result is already in the order it prints in (else `FieldOrder` puts it there).
struct LineAnswer {
    let outcome: LineOutcome
    let format: OutputFormat?
    let inFieldOrder: Bool

    var printable: LineOutcome {
        guard case .success(let result) = outcome, !inFieldOrder else { return outcome }
        return .success(FieldOrder.ordered(result))
    }
}
