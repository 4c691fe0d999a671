import Foundation
import Postgres
import ProcurementStore

/// Runs lines from a stream: one command per line, `#` comments and blank lines skipped.
///
/// A batch (not the shell) runs as three stages on three threads, each line passing through
/// them in order: the next lines are read and parsed while this one is at the database, and
/// the last one is printed while the next runs. The lines still run one after another, each
/// in its own transaction, on the session's one connection, and print in their order; only
/// the client's own work (parsing, printing) overlaps the database's. Consecutive lines of the
/// verbs that read in one round trip (`readsAhead`) go to the server together
/// (`LineRunner.executeReadingAhead`), so it runs them without waiting for the client between.
struct BatchRunner {
    let runner: LineRunner
    let writer: OutputWriter
    let stopOnError: Bool
    let interactive: Bool

    /// Lines parsed ahead of the one running, and answers waiting to print.
    static let lookAhead = 32
    /// At most this many reading lines already parsed run as one read-ahead
    /// (`LineRunner.executeReadingAhead`).
    static let readAheadLines = 16

    /// Returns the process exit code: 0 when every line succeeded, else 1 (the shell: see below).
    func run(_ input: some LineSource) -> Int32 {
        let failures = interactive ? runShell(input) : runBatch(input)
        if interactive { Console.out("\n") }
        if runner.session.atomic {
            do {
                try runner.session.finishAtomic(commit: failures == 0)
                if failures > 0 {
                    Console.error("--atomic: \(failures) line(s) failed; the whole batch was rolled back, nothing was written")
                }
            } catch {
                Console.error("--atomic: could not finish the transaction: \(error); nothing was written")
                return 1
            }
        }
        if failures == 0 { return 0 }
        // The shell showed each failure as it happened: leaving it is a success, unless an
        // --atomic session was rolled back.
        return interactive && !runner.session.atomic ? 0 : 1
    }

    /// The shell: each line read, run and answered before the next prompt. Returns the failures.
    private func runShell(_ input: some LineSource) -> Int {
        var lineNumber = 0
        var failures = 0
        while let line = input.nextLine() {
            lineNumber += 1
            let words: [String]
            do {
                words = try LineTokenizer.words(line)
            } catch {
                failures += 1
                writer.write(Self.unreadable(error), line: lineNumber)
                continue
            }
            if words.isEmpty { continue }
            if let shellWord = words.first, ["quit", "exit"].contains(shellWord) { break }
            if words == ["help"] {
                writer.write(.help(ProcureCommandLine.verbList()), line: lineNumber)
                continue
            }
            let answer = runner.execute(runner.prepare(words))
            writer.write(answer.printable, line: lineNumber, format: answer.format)
            if !answer.outcome.succeeded { failures += 1 }
        }
        return failures
    }

    /// A batch: reader → this thread (the database) → printer. Returns the failures.
    private func runBatch(_ input: some LineSource) -> Int {
        let lines = HandOver<(Int, PreparedLine)>(capacity: BatchRunner.lookAhead)
        let answers = HandOver<(Int, LineAnswer)>(capacity: BatchRunner.lookAhead)
        let shared = UncheckedSendable((input: input, runner: runner, writer: writer))
        let reader = BackgroundThread("procure-read") {
            var lineNumber = 0
            while let line = shared.value.input.nextLine() {
                lineNumber += 1
                guard let prepared = BatchRunner.prepare(line, runner: shared.value.runner) else { continue }
                guard lines.put((lineNumber, prepared)) else { break }
            }
            lines.close()
        }
        let printer = BackgroundThread("procure-print") {
            while let (lineNumber, answer) = answers.take() {
                shared.value.writer.write(answer.printable, line: lineNumber, format: answer.format)
            }
        }
        var failures = 0
        var stopped = false
        // reads ahead only where a line's failure changes nothing for the next: not when the
        // batch stops at its first failure, nor inside an --atomic transaction
        let readsAhead = !stopOnError && !runner.session.atomic
        running: while let first = lines.take() {
            var group = [first]
            if readsAhead, first.1.readsAhead {
                while group.count < BatchRunner.readAheadLines,
                      let next = lines.takeIfReady(where: { $0.1.readsAhead }) {
                    group.append(next)
                }
            }
            let answered = group.count == 1 ? [runner.execute(first.1)] : runner.executeReadingAhead(group.map(\.1))
            for ((lineNumber, _), answer) in zip(group, answered) {
                answers.put((lineNumber, answer))
                if !answer.outcome.succeeded {
                    failures += 1
                    if stopOnError {
                        stopped = true
                        break running
                    }
                }
            }
        }
        lines.close()
        answers.close()
        printer.wait()
        // stopped early, the reader may be waiting for input that never comes: leave it
        if !stopped { reader.wait() }
        return failures
    }

    /// A line's words made ready to run; nil for a blank or comment line.
    static func prepare(_ line: String, runner: LineRunner) -> PreparedLine? {
        do {
            let words = try LineTokenizer.words(line)
            return words.isEmpty ? nil : runner.prepare(words)
        } catch {
            return .answered(unreadable(error))
        }
    }

    /// The answer to a line that does not split into words (an unclosed quote, say).
    private static func unreadable(_ error: any Error) -> LineOutcome {
        .failure(ProcureError(.invalidArgument, "\(error)"))
    }
}
