import Foundation
import TestSupport
import XCTest

/// `procure` with a terminal on stdin: the interactive shell, driven through a real
/// pseudo-terminal as a person at a keyboard would drive it.
final class ShellTests: DatabaseTestCase {
    private var home = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        home = try TemporaryFolder.make(prefix: "procure-shell-").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: home)
        try super.tearDownWithError()
    }

    private static let prompt = "procure> "
    private static let up = "\u{1B}[A"
    private static let ctrlC = "\u{03}"

    /// A shell on the test database, its history under `home`, at its first prompt.
    private func startShell(_ flags: [String] = []) throws -> (process: SpawnedProcess, terminal: PseudoTerminal) {
        let shell = try ProcureBinary.startOnTerminal(["--db", conninfo] + flags, environment: ["PROCURE_HOME": home])
        let greeting = prompt(on: shell.terminal)
        XCTAssertTrue(greeting.contains("type `help`"), greeting)
        return shell
    }

    /// What the terminal shows up to the next prompt, once the shell edits its line (keys typed
    /// earlier would be echoed by the terminal, not the shell).
    @discardableResult
    private func prompt(on terminal: PseudoTerminal) -> String {
        let shown = terminal.read(until: Self.prompt)
        XCTAssertTrue(terminal.waitForKeyByKeyInput(), "the shell never read keys: \(terminal.shown)")
        return shown
    }

    /// Types a line and Return, and returns what the terminal shows up to the next prompt.
    private func enter(_ line: String, on terminal: PseudoTerminal) -> String {
        terminal.type(line + "\r")
        return prompt(on: terminal)
    }

    private func quit(_ shell: (process: SpawnedProcess, terminal: PseudoTerminal)) -> ExitOutcome {
        shell.terminal.type("quit\r")
        return shell.process.wait(timeout: 20)
    }

    func testQuitAfterAFailedLineExitsZeroAndHelpListsTheVerbs() throws {
        let shell = try startShell()
        let failed = enter("po show NO-SUCH-ORDER", on: shell.terminal)
        XCTAssertTrue(failed.contains("line 1: not_found"), failed)
        let help = enter("help", on: shell.terminal)
        XCTAssertTrue(help.contains("Verbs:"), help)
        XCTAssertTrue(help.contains("po line add"), help)
        XCTAssertTrue(help.contains("supplier list"), help)
        XCTAssertFalse(help.contains("USAGE: procure <subcommand>"), help)
        XCTAssertEqual(quit(shell), .exited(0), shell.terminal.shown)
    }

    func testAnAtomicSessionRolledBackExitsOne() throws {
        let shell = try startShell(["--atomic"])
        XCTAssertTrue(enter("supplier add S7 --name Seven", on: shell.terminal).contains("Seven"))
        XCTAssertTrue(enter("po show NO-SUCH-ORDER", on: shell.terminal).contains("not_found"))
        XCTAssertEqual(quit(shell), .exited(1), shell.terminal.shown)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.suppliers").first?["n"], "0", "rolled back")
    }

    func testCtrlCCancelsTheLineNotTheShell() throws {
        let shell = try startShell()
        shell.terminal.type("supplier add S8 --name Eight")
        shell.terminal.read(until: "Eight")
        shell.terminal.type(Self.ctrlC)
        let cancelled = prompt(on: shell.terminal)
        XCTAssertTrue(cancelled.contains("^C"), cancelled)
        XCTAssertNil(shell.process.poll(), "Ctrl-C ended the shell: \(shell.terminal.shown)")
        let listed = enter("supplier list", on: shell.terminal)
        XCTAssertFalse(listed.contains("S8"), "the cancelled line ran: \(listed)")
        XCTAssertEqual(quit(shell), .exited(0), shell.terminal.shown)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.suppliers").first?["n"], "0")
    }

    func testHistoryIsKeptAcrossSessionsAndTheUpArrowRecallsIt() throws {
        let first = try startShell()
        let added = enter("supplier add S9 --name Nine", on: first.terminal)
        XCTAssertTrue(added.contains("Nine"), added)
        XCTAssertEqual(quit(first), .exited(0), first.terminal.shown)

        let historyFile = home + "/history"
        let kept = try String(contentsOfFile: historyFile, encoding: .utf8)
        XCTAssertTrue(kept.contains("supplier"), kept)
        let mode = (try FileManager.default.attributesOfItem(atPath: historyFile)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o600, "the history file is its owner's alone")

        let second = try startShell()
        second.terminal.type(Self.up)
        let recalled = second.terminal.read(until: "--name Nine", timeout: 10)
        XCTAssertTrue(recalled.contains("supplier add S9 --name Nine"), "up arrow: \(recalled.debugDescription)")
        XCTAssertFalse(recalled.contains("^[[A"), recalled)
        // Edited in place (Ctrl-E, Ctrl-A, Ctrl-F: emacs keys): another supplier, then run.
        second.terminal.type("\u{05}teen\u{01}" + String(repeating: "\u{06}", count: 15) + "0")
        let edited = enter("", on: second.terminal)
        XCTAssertTrue(edited.contains("S90") && edited.contains("Nineteen"), edited)
        XCTAssertEqual(quit(second), .exited(0), second.terminal.shown)
        XCTAssertEqual(try sql("SELECT name FROM procure.suppliers WHERE code = 'S90'").first?["name"], "Nineteen")
    }

    func testTabCompletesVerbsAndFlags() throws {
        let shell = try startShell()
        XCTAssertTrue(enter("supplier add S1 --name One", on: shell.terminal).contains("One"))
        // A verb: `sup` + Tab → `supplier `, `li` + Tab → `list `.
        shell.terminal.type("sup\t")
        XCTAssertTrue(shell.terminal.read(until: "plier ", timeout: 10).contains("plier "))
        shell.terminal.type("li\t")
        XCTAssertTrue(shell.terminal.read(until: "st ", timeout: 10).contains("st "))
        let listed = enter("", on: shell.terminal)
        XCTAssertTrue(listed.contains("S1"), listed)
        // A flag: `--rev` + Tab → `--review-days `.
        shell.terminal.type("supplier set S1 --rev\t")
        XCTAssertTrue(shell.terminal.read(until: "iew-days ", timeout: 10).contains("iew-days "))
        let set = enter("3", on: shell.terminal)
        XCTAssertTrue(set.contains("review_days"), set)
        // Several that fit: completed to what they share, then listed.
        shell.terminal.type("po l")
        shell.terminal.read(until: "po l")
        shell.terminal.type("\t")
        XCTAssertEqual(shell.terminal.read(until: "i", timeout: 10).last, "i")
        shell.terminal.type("\t")
        let choices = prompt(on: shell.terminal)
        XCTAssertTrue(choices.contains("line") && choices.contains("list"), choices)
        shell.terminal.type(Self.ctrlC)
        prompt(on: shell.terminal)
        XCTAssertEqual(quit(shell), .exited(0), shell.terminal.shown)
        XCTAssertEqual(try sql("SELECT review_days FROM procure.suppliers WHERE code = 'S1'").first?["review_days"], "3")
    }
}
