import ArgumentParser
import Foundation
import ProcurementStore

/// Flags of the whole run, given before the verb (or, for `--as`, anywhere on a line).
struct RunOptions: ParsableCommand {
    /// A pseudo-command (one with a super-command's name, swift-argument-parser's way for
    /// plugins): the parse then skips its check for a request of a shell completion script,
    /// which procure does not offer and which cost half of a one-shot's parsing
    /// (docs/benchmarks.md). Its help is never shown: `--help` prints the verbs' help.
    static let configuration = CommandConfiguration(commandName: "procure", _superCommandName: "procure")

    @Option(help: ArgumentHelp("Database URL or libpq connection string (else DATABASE_URL, PG* variables, or the embedded cluster).",
                               valueName: "url"))
    var db: String?

    @Option(help: ArgumentHelp("Output format: table, json (JSON Lines) or csv.", valueName: "table|json|csv"))
    var format: OutputFormat = .table

    @Flag(help: "Stop a batch at its first failed line.")
    var stopOnError = false

    @Flag(help: "Run the whole batch in one transaction: all lines or nothing.")
    var atomic = false

    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this procure user (SET ROLE).", valueName: "user"))
    var actor: String?

    @Flag(help: "Print the version.")
    var version = false

    @Argument(parsing: .captureForPassthrough, help: "VERB ARGS… (none: a batch from stdin, or a shell on a terminal)")
    var words: [String] = []
}

/// Entry point: picks one-shot, batch or interactive mode.
public enum ProcureMain {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        var options: RunOptions
        do {
            options = try RunOptions.parseQuickly(arguments)
        } catch {
            if RunOptions.exitCode(for: error) == .success {
                Console.out(ProcureCommandLine.helpMessage() + "\n")
                return 0
            }
            return usageError(RunOptions.message(for: error), arguments: arguments)
        }
        if options.version {
            Console.out("procure \(ProcureCommandLine.version)\n")
            return 0
        }
        if options.words.first == "run" {
            return runFile(options)
        }
        let session = Session(target: DatabaseTarget.resolve(flag: options.db), atomic: options.atomic)
        let runner = LineRunner(session: session, defaultActor: options.actor)
        let writer = OutputWriter(format: options.format)
        if options.words.isEmpty {
            guard InputSource.standardInputIsTerminal else {
                return BatchRunner(runner: runner, writer: writer, stopOnError: options.stopOnError, interactive: false)
                    .run(InputSource())
            }
            Console.out("procure \(ProcureCommandLine.version) — type `help` for the verbs, `quit` to leave.\n")
            let shell = BatchRunner(runner: runner, writer: writer, stopOnError: false, interactive: true)
            if let editor = LineEditor(historyFile: LineEditor.historyFile(), completion: .ofCommandLine()) {
                return shell.run(editor)
            }
            return shell.run(PromptedInput(InputSource()))
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

    /// A usage error of the whole run (a bad flag before the verb, an unreadable batch file),
    /// reported like every error, as line 1, in JSON when the arguments asked for JSON.
    static func usageError(_ message: String, arguments: [String]) -> Int32 {
        let json = zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" }
            || arguments.contains("--format=json")
        OutputWriter(format: json ? .json : .table).write(.failure(ProcureError(.invalidArgument, message)), line: 1)
        return 2
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
            return usageError(RunFileCommand.message(for: error), arguments: options.words)
        }
        let input: InputSource
        do {
            input = try InputSource(path: command.file)
        } catch {
            return usageError("\(error)", arguments: options.words)
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
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a batch file: one command per line (# comments, blank lines skipped).",
        discussion: """
            Examples:
              procure run examples/worked-example.txt
              procure run orders.txt --atomic --as alice
              procure --format json run orders.txt --stop-on-error
            """)

    @Argument(help: ArgumentHelp("The batch file.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("Database URL or libpq connection string.", valueName: "url")) var db: String?
    @Option(help: ArgumentHelp("Output format: table, json or csv.", valueName: "table|json|csv")) var format: OutputFormat?
    @Flag(help: "Stop at the first failed line.") var stopOnError = false
    @Flag(help: "All lines in one transaction: all or nothing.") var atomic = false
    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this procure user.", valueName: "user")) var actor: String?
}
