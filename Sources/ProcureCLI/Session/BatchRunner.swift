import Foundation
import Postgres
import ProcurementStore

/// Runs lines from a stream: one command per line, `#` comments and blank lines skipped.
struct BatchRunner {
    let runner: LineRunner
    let writer: OutputWriter
    let stopOnError: Bool
    let interactive: Bool

    /// Returns the process exit code: 0 when every line succeeded, else 1 (the shell: see below).
    func run(_ input: some LineSource) -> Int32 {
        var lineNumber = 0
        var failures = 0
        while true {
            guard let line = input.nextLine() else { break }
            lineNumber += 1
            let words: [String]
            do {
                words = try LineTokenizer.words(line)
            } catch {
                failures += 1
                writer.write(.failure(ProcureError(.invalidArgument, "\(error)")), line: lineNumber)
                if stopOnError && !interactive { break } else { continue }
            }
            if words.isEmpty { continue }
            if interactive, let shellWord = words.first, ["quit", "exit"].contains(shellWord) { break }
            if interactive, words == ["help"] {
                writer.write(.help(ProcureCommandLine.verbList()), line: lineNumber)
                continue
            }
            let (outcome, format) = runner.run(words)
            writer.write(outcome, line: lineNumber, format: format)
            if !outcome.succeeded {
                failures += 1
                if stopOnError && !interactive { break }
            }
        }
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
}
