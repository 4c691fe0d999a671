import ArgumentParser
@testable import ProcureCLI
import XCTest

/// `ProcureCommandLine.parseLine` (the verb's own type parses the words) must give exactly what
/// `parseAsRoot` (the whole verb tree) gives: the same command with the same values, or the
/// same error and help text.
final class VerbDispatchTests: XCTestCase {
    private let lines: [[String]] = [
        ["po", "show", "PO-1"],
        ["po", "show", "PO-1", "--as", "alice", "--format", "json"],
        ["po", "show", "--as", "alice", "PO-1"],
        ["po", "show", "PO-1", "--key", "k1"],
        ["po", "show", "PO-1", "--format=csv", "--key=k2"], ["po", "show", "--format", "table", "PO-1"],
        ["po", "show", "PO-1", "--format", "yaml"], ["po", "show", "PO-1", "--format"], ["po", "show", "PO-1", "--key="],
        ["po", "show", "PO-1", "--format", "json", "--format", "csv"], ["po", "show", "-PO-1"], ["po", "show", "PO-1", "-"],
        ["liability", "show", "PO-1", "--format", "json"], ["liability", "show"], ["liability", "show", "PO-1", "--all"],
        ["history", "PO-1", "--key", "k"], ["history", "PO-1", "PO-2"], ["history", "--format=json", "PO-1"],
        ["po", "show", "show"],
        ["po", "show", "--", "--as"],
        ["po", "create", "S1", "I1:10", "I2:5@9.50", "--date", "2025-01-02", "--number", "PO-9"],
        ["po", "create", "S1", "I1:abc"],
        ["po", "create", "S1", "I1:10", "--date", "2025-13-45"],
        ["po", "receive", "PO-1", "1", "10.5"],
        ["po", "receive", "PO-1", "x", "10.5"],
        ["po", "pay", "PO-1", "12.50"],
        ["po", "price", "PO-1", "2", "9.99"],
        ["po", "list", "--buyer", "b", "--status", "issued"],
        ["po", "edits", "PO-1"],
        ["po", "show"],
        ["po", "show", "PO-1", "PO-2"],
        ["po", "show", "PO-1", "--bogus"],
        ["po", "show", "--help"],
        ["po", "show", "-h"],
        ["po", "show", "PO-1", "--help"],
        ["po", "--help"],
        ["po"],
        ["po", "bogus"],
        ["po", "--as", "alice", "show", "PO-1"],
        ["help"],
        ["help", "po", "show"],
        ["--help"],
        ["bogus", "verb"],
        ["price", "list", "S1"],
        ["price", "list", "S1", "--on", "1999-01-01"],
        ["price", "set", "S1", "I1", "10.00", "--from", "2025-01-01"],
        ["supplier", "add", "S1", "--name", "Acme", "--profit-rate", "10"],
        ["item", "add", "I1", "--name", "Bolt"],
        ["user", "add", "alice", "--role", "buyer"],
        ["correct", "PO-1", "--reason", "wrong_item", "--note", "n", "--replace", "I1:5", "I2:3@1.00", "--as", "b"],
        ["correct", "PO-1", "--reason", "wrong_item", "--note", "n", "--dry-run", "--settlement", "25.00"],
        ["correct", "PO-1"],
        ["correct", "--help"],
        ["correct", "PO-1", "--reason", "wrong-quantity", "--note", "ordered 100", "--replace", "I1:60"],
        ["correct", "PO-1", "--reason", "wrong-supplier", "--note", "n", "--replace", "I1:6", "I2:3@1.50", "--supplier", "S2",
         "--settlement", "25.00", "--number", "PO-1-X", "--format", "json", "--key", "k9"],
        ["correct", "--reason=other", "--note=n", "PO-1", "--dry-run"],
        ["correct", "PO-1", "--note", "n", "--reason", "duplicate", "--replace", "I1:5", "--dry-run", "--format=csv"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1:x"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1:5@"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", ":5"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1:5", "--replace", "I2:1"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace=I1:5"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1:5", "PO-2"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--replace", "I1:5", "-"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--settlement", "1e5"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--settlement", "-5"],
        ["correct", "PO-1", "--reason", "other", "--note", ""],
        ["correct", "PO-1", "--reason", "other", "--note", "-n"],
        ["correct", "PO-1", "--reason", "other", "--reason", "duplicate", "--note", "n"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--dry-run", "--dry-run"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--dry-run=true"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--format", "yaml"],
        ["correct", "PO-1", "--reason", "other"],
        ["correct", "--reason", "other", "--note", "n"],
        ["correct", "PO-1", "PO-2", "--reason", "other", "--note", "n"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--bogus"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--help"],
        ["correct", "PO-1", "--reason", "other", "--note", "n", "--as", "b"],
        ["history", "PO-1"],
        ["note", "PO-1", "called the supplier"],
        ["liability", "show", "PO-1"],
        ["liability", "list"],
        ["liability", "agree", "PO-1"],
        ["liability", "settle", "PO-1", "--reference", "R1"],
        ["audit", "verify"],
        ["audit", "verify", "--checkpoint", "cp.json"],
        ["audit", "checkpoint", "--out", "cp.json"],
        ["audit", "checkpoint", "--out"],
        ["import", "orders", "file.csv", "--as", "b"],
        ["db", "status"],
        ["db", "migrate"],
        ["db", "stop", "extra"],
        ["report", "price-compliance", "--from", "2025-01-01"],
        ["report", "nonsense"],
        ["report", "price-compliance"],
        ["report", "corrections", "--from", "2025-01-01", "--to", "2025-06-30", "--buyer", "b", "--format", "json"],
        ["report", "liabilities", "--supplier", "S1", "--html", "out.html", "--as", "f", "--key", "k"],
        ["report", "liabilities", "--from=2025-01-01", "--to=2025-01-01", "--format=csv"],
        ["report", "liabilities", "--from", "2025-06-30", "--to", "2025-01-01"],
        ["report", "liabilities", "--from", "2025-13-01"],
        ["report", "liabilities", "--html="],
        ["report", "liabilities", "--html"],
        ["report", "liabilities", "--format", "yaml"],
        ["report", "corrections", "--buyer", "a", "--buyer", "b"],
        ["report", "corrections", "liabilities"],
        ["report", "--from", "2025-01-01", "corrections"],
        ["report", "corrections", "--bogus"],
        ["report", "corrections", "--help"],
        ["report"],
        ["production", "PO-1", "--help"],
        ["po", "show", "PO-1", "--generate-completion-script", "bash"],
        ["po", "show", "PO-1", "--experimental-dump-help"],
    ]

    func testParseLineMatchesParseAsRoot() {
        for words in lines {
            assertSameParse(Result { try ProcureCommandLine.parseAsRoot(words) as ParsableArguments },
                            Result { try ProcureCommandLine.parseLine(words) as ParsableArguments }, of: "\(words)", by: ProcureCommandLine.self)
        }
    }

    func testPlainShapesTakeTheHandWrittenPath() {
        XCTAssertNotNil(OrderShow.quickly(["PO-1", "--format", "json"]))
        XCTAssertNotNil(LiabilityShow.quickly(["PO-1"]))
        XCTAssertNotNil(HistoryCommand.quickly(["PO-1", "--key=k"]))
        for words in [["PO-1", "--bogus"], ["PO-1", "--help"], [], ["PO-1", "PO-2"], ["PO-1", "--format", "yaml"]] {
            XCTAssertNil(OrderShow.quickly(words), "\(words)")
        }
        XCTAssertNotNil(ReportCommand.quickly(["corrections", "--from", "2025-01-01", "--to", "2025-06-30", "--buyer", "b"]))
        for words in [["corrections", "--from", "2025-06-30", "--to", "2025-01-01"], ["nonsense"], ["corrections", "--help"]] {
            XCTAssertNil(ReportCommand.quickly(words), "\(words)")
        }
        XCTAssertNotNil(CorrectCommand.quickly(["PO-1", "--reason", "other", "--note", "n n", "--replace", "I1:5", "I2:1@2"]))
        XCTAssertNotNil(CorrectCommand.quickly(["PO-1", "--reason", "other", "--note", "n", "--dry-run", "--settlement", "2.50"]))
        for words in [["PO-1", "--reason", "other"], ["PO-1", "--reason", "other", "--note", "n", "--replace"],
                      ["PO-1", "--reason", "other", "--note", "n", "--help"]] {
            XCTAssertNil(CorrectCommand.quickly(words), "\(words)")
        }
    }

    /// `verbType` hands a group's verb its words alone: a group's own options would be lost.
    func testNoGroupHasOptionsOrArgumentsOfItsOwn() {
        for group in ProcureCommandLine.configuration.subcommands where !group.configuration.subcommands.isEmpty {
            XCTAssertTrue(Mirror(reflecting: group.init()).children.isEmpty, "\(group) has properties")
        }
    }

    func testVerbsTakeTheShortPath() {
        XCTAssertTrue(ProcureCommandLine.verbType(["po", "show", "PO-1"])?.type == OrderShow.self)
        XCTAssertEqual(ProcureCommandLine.verbType(["po", "show", "PO-1"])?.consumed, 2)
        XCTAssertTrue(ProcureCommandLine.verbType(["correct", "PO-1"])?.type == CorrectCommand.self)
        XCTAssertEqual(ProcureCommandLine.verbType(["correct", "PO-1"])?.consumed, 1)
        XCTAssertTrue(ProcureCommandLine.verbType(["price", "list", "S1"])?.type == PriceList.self)
        for words in [["po"], ["po", "bogus"], ["help", "po"], ["--help"], ["bogus"], ["po", "--as", "a", "show"], []] {
            XCTAssertNil(ProcureCommandLine.verbType(words), "\(words)")
        }
    }

    func testTheComparisonSeesTheValues() throws {
        let one = dumped(try ProcureCommandLine.parseLine(["po", "show", "PO-1", "--as", "a"]))
        XCTAssertNotEqual(one, dumped(try ProcureCommandLine.parseLine(["po", "show", "PO-2", "--as", "a"])))
        XCTAssertNotEqual(one, dumped(try ProcureCommandLine.parseLine(["po", "show", "PO-1", "--as", "b"])))
    }

    /// The process arguments: `RunOptions.parseQuickly` (the flags before the verb read by hand
    /// when plain) must give what `RunOptions.parse` gives, values, errors and help alike.
    func testRunOptionsQuickParseMatchesParse() {
        let argumentLists: [[String]] = [
            [], ["po", "show", "PO-1"], ["--db", "host=/tmp dbname=p", "po", "show", "PO-1", "--as", "b"],
            ["--db=postgres://x/y", "--format", "json", "--as", "alice", "po", "show", "PO-1", "--format", "csv"],
            ["--format=csv", "report", "price-compliance"], ["--stop-on-error", "--atomic"], ["--version"],
            ["--atomic", "--as=bob", "correct", "PO-1", "--reason", "other"], ["--db="], ["--as="],
            ["--format", "yaml", "po", "list"], ["--format", "--as", "b"], ["--db"], ["--as"],
            ["--db", "a", "--db", "b", "po", "list"], ["--atomic", "--atomic"], ["--version=1"],
            ["--help"], ["-h"], ["help"], ["--bogus", "po", "list"], ["--", "po", "list"],
            ["po", "--help"], ["-5"], ["--stop-on-error", "run", "file.txt"], ["--format", "table"],
        ]
        for arguments in argumentLists {
            assertSameParse(Result { try RunOptions.parse(arguments) as ParsableArguments },
                            Result { try RunOptions.parseQuickly(arguments) as ParsableArguments }, of: "\(arguments)", by: RunOptions.self)
        }
        XCTAssertNotNil(RunOptions.quickly(["--db", "x", "--format", "json", "po", "show", "PO-1"]), "the common shape takes the short path")
        XCTAssertNil(RunOptions.quickly(["--help"]))
    }

    /// The same value (type and every field), or the same message and exit code.
    private func assertSameParse(_ expected: Result<any ParsableArguments, Error>, _ actual: Result<any ParsableArguments, Error>,
                                 of what: String, by command: ParsableCommand.Type) {
        switch (expected, actual) {
        case let (.success(want), .success(got)):
            XCTAssertTrue(type(of: want) == type(of: got), "\(what): \(type(of: want)) vs \(type(of: got))")
            XCTAssertEqual(dumped(got), dumped(want), what)
        case let (.failure(want), .failure(got)):
            XCTAssertEqual(command.fullMessage(for: got), command.fullMessage(for: want), what)
            XCTAssertEqual(command.exitCode(for: got), command.exitCode(for: want), what)
        default:
            XCTFail("\(what): swift-argument-parser gave \(expected), the short path \(actual)")
        }
    }

    private func dumped(_ command: ParsableArguments) -> String {
        var text = ""
        dump(command, to: &text)
        return text
    }
}
