import ArgumentParser
import Postgres
import ProcurementStore

/// Parses one line's words with swift-argument-parser and runs the verb.
struct LineRunner {
    let session: Session
    /// `--as` given before the verb on the command line, for lines that don't say.
    let defaultActor: String?

    /// Returns the outcome and the line's own `--format`, if it gave one.
    func run(_ words: [String]) -> (LineOutcome, OutputFormat?) {
        let parsed: ParsableCommand
        do {
            parsed = try ProcureCommandLine.parseAsRoot(words)
        } catch {
            if ProcureCommandLine.exitCode(for: error) == .success {
                return (.help(ProcureCommandLine.fullMessage(for: error)), nil)
            }
            return (.failure(ProcureError(.invalidArgument, ProcureCommandLine.message(for: error))), nil)
        }
        guard let command = parsed as? ProcureCommand else {
            // A group such as `po` without a verb: show its help.
            return (.help(type(of: parsed).helpMessage()), nil)
        }
        let context = CommandContext(session: session, actor: command.common.actor ?? defaultActor)
        return (LineRunner.outcome { try command.execute(in: context) }, command.common.format)
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
