@testable import ProcureCLI
import XCTest

/// What Tab offers, from the command tree the lines are parsed with.
final class ShellCompletionTests: XCTestCase {
    private let completion = ShellCompletion.ofCommandLine()

    func testVerbsGroupsAndShellWords() {
        XCTAssertEqual(completion.candidates(before: "sup").candidates, ["supplier"])
        XCTAssertEqual(completion.candidates(before: "supplier ").candidates, ["add", "list", "set"])
        XCTAssertEqual(completion.candidates(before: "po l").candidates, ["line", "list"])
        XCTAssertEqual(completion.candidates(before: "po line r").candidates, ["remove"])
        XCTAssertEqual(completion.candidates(before: "q").candidates, ["quit"])
        XCTAssertFalse(completion.candidates(before: "").candidates.contains("run"), "run is not a shell line")
        XCTAssertEqual(completion.candidates(before: "po show PO-1 ").candidates, [], "an argument is not completed")
    }

    func testFlagsOfTheVerbBeingTyped() {
        let (partial, flags) = completion.candidates(before: "supplier set S1 --rev")
        XCTAssertEqual(partial, "--rev")
        XCTAssertEqual(flags, ["--review-days"])
        XCTAssertEqual(completion.candidates(before: "po list --").candidates.filter { $0.hasPrefix("--f") }, ["--from"])
        XCTAssertTrue(completion.candidates(before: "po create S1 --").candidates.contains("--key"))
        XCTAssertFalse(completion.candidates(before: "po show PO-1 --").candidates.contains("--key"), "a read takes no key")
        XCTAssertFalse(completion.candidates(before: "po show PO-1 --").candidates.contains("--format"), "hidden flags are not offered")
    }

    func testCommonPrefixAndColumns() {
        XCTAssertEqual(ShellCompletion.commonPrefix(["line", "list"]), "li")
        XCTAssertEqual(ShellCompletion.columns(["add", "list", "set"], width: 12), "add   list\nset")
    }
}
