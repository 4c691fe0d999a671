import ArgumentParser
import Foundation
import ProcurementStore

/// Flags of the whole run, given before the verb (or, for `--as`, anywhere on a line).
struct RunOptions: ParsableArguments {
    @Option(help: "Database URL or libpq connection string (else DATABASE_URL, PG* variables, or the embedded cluster).")
    var db: String?

    @Option(help: "Output format: table, json (JSON Lines) or csv.")
    var format: OutputFormat = .table

    @Flag(help: "Stop a batch at its first failed line.")
    var stopOnError = false

    @Flag(help: "Run the whole batch in one transaction: all lines or nothing.")
    var atomic = false

    @Option(name: .customLong("as"), help: "Act as this user (SET ROLE).")
    var actor: String?

    @Argument(parsing: .captureForPassthrough, help: "VERB ARGS… (none: a batch from stdin, or a shell on a terminal)")
    var words: [String] = []
}

/// Entry point: picks one-shot, batch or interactive mode (SPEC §4).
public enum ProcureMain {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        var options: RunOptions
        do {
            options = try RunOptions.parse(arguments)
        } catch {
            if RunOptions.exitCode(for: error) == .success {
                Console.out(ProcureCommandLine.helpMessage() + "\n")
                return 0
            }
            Console.error("error: " + RunOptions.message(for: error))
            return 2
        }
        if options.words.first == "run" {
            return runFile(options)
        }
        let session = Session(target: DatabaseTarget.resolve(flag: options.db), atomic: options.atomic)
        let runner = LineRunner(session: session, defaultActor: options.actor)
        let writer = OutputWriter(format: options.format)
        if options.words.isEmpty {
            let interactive = InputSource.standardInputIsTerminal
            if interactive { Console.out("procure — type `help` for the verbs, `quit` to leave.\n") }
            return BatchRunner(runner: runner, writer: writer, stopOnError: options.stopOnError, interactive: interactive)
                .run(InputSource())
        }
        return oneShot(options.words, runner: runner, writer: writer)
    }

    /// One command from the process arguments: exit 0 on success, 1 on failure, 2 on a usage error.
    static func oneShot(_ words: [String], runner: LineRunner, writer: OutputWriter) -> Int32 {
        let (outcome, format) = runner.run(words)
        writer.write(outcome, line: 1, format: format)
        if runner.session.atomic { try? runner.session.finishAtomic(commit: outcome.succeeded) }
        switch outcome {
        case .success, .help: return 0
        case .failure(let error):
            let isUsage = error.code == .invalidArgument
                && (try? ProcureCommandLine.parseAsRoot(LineRunner.takingActor(from: words).rest)) == nil
            return isUsage ? 2 : 1
        }
    }

    /// `procure run FILE [flags]`.
    static func runFile(_ options: RunOptions) -> Int32 {
        let command: RunFileCommand
        do {
            command = try RunFileCommand.parse(Array(options.words.dropFirst()))
        } catch {
            if RunFileCommand.exitCode(for: error) == .success {
                Console.out(RunFileCommand.helpMessage() + "\n")
                return 0
            }
            Console.error("error: " + RunFileCommand.message(for: error))
            return 2
        }
        let input: InputSource
        do {
            input = try InputSource(path: command.file)
        } catch {
            Console.error("error: \(error)")
            return 2
        }
        let session = Session(
            target: DatabaseTarget.resolve(flag: command.db ?? options.db),
            atomic: options.atomic || command.atomic)
        let runner = LineRunner(session: session, defaultActor: command.actor ?? options.actor)
        let writer = OutputWriter(format: command.format ?? options.format)
        return BatchRunner(runner: runner, writer: writer, stopOnError: options.stopOnError || command.stopOnError, interactive: false)
            .run(input)
    }
}

/// `procure run FILE`: a batch from a file.
struct RunFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a batch file: one command per line.")

    @Argument(help: "The batch file.") var file: String
    @Option(help: "Database URL or connection string.") var db: String?
    @Option(help: "Output format: table, json or csv.") var format: OutputFormat?
    @Flag(help: "Stop at the first failed line.") var stopOnError = false
    @Flag(help: "All lines in one transaction.") var atomic = false
    @Option(name: .customLong("as"), help: "Act as this user.") var actor: String?
}
