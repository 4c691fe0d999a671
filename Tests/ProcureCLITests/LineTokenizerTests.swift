import ProcureCLI
import XCTest

final class LineTokenizerTests: XCTestCase {
    private func words(_ line: String, file: StaticString = #filePath, line number: UInt = #line) -> [String] {
        do {
            return try LineTokenizer.words(line)
        } catch {
            XCTFail("\(line.debugDescription) failed to split: \(error)", file: file, line: number)
            return []
        }
    }

    private func failure(_ line: String) -> LineTokenizer.Failure? {
        do {
            _ = try LineTokenizer.words(line)
            return nil
        } catch let failure as LineTokenizer.Failure {
            return failure
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    func testPlainWords() {
        XCTAssertEqual(words("order add S1 A 10"), ["order", "add", "S1", "A", "10"])
    }

    func testBlankLinesHaveNoWords() {
        XCTAssertEqual(words(""), [])
        XCTAssertEqual(words("   \t  "), [])
    }

    func testRunsOfSpacesAndTabsSeparateOnce() {
        XCTAssertEqual(words("  a \t\t b   c\t"), ["a", "b", "c"])
        XCTAssertEqual(words("a\rb\nc\r"), ["a", "b", "c"])
    }

    func testDoubleQuotesKeepSpaces() {
        XCTAssertEqual(words("supplier add S1 --name \"Acme  Metals\""), ["supplier", "add", "S1", "--name", "Acme  Metals"])
    }

    func testQuotedPartsJoinTheWordAroundThem() {
        XCTAssertEqual(words("ab\"c d\"'e f'g"), ["abc de fg"])
    }

    func testSingleQuotesAreLiteral() {
        XCTAssertEqual(words("'C:\\temp\\new' '$HOME' 'say \"hi\"'"), ["C:\\temp\\new", "$HOME", "say \"hi\""])
    }

    func testBackslashOutsideQuotesEscapesTheNextCharacter() {
        XCTAssertEqual(words("a\\ b c"), ["a b", "c"])
        XCTAssertEqual(words("\\\"x \\'y \\\\z"), ["\"x", "'y", "\\z"])
        XCTAssertEqual(words("\\#not-a-comment"), ["#not-a-comment"])
    }

    func testBackslashInsideDoubleQuotes() {
        XCTAssertEqual(words("\"say \\\"hi\\\"\""), ["say \"hi\""])
        XCTAssertEqual(words("\"back\\\\slash\""), ["back\\slash"])
        // Before other characters the backslash stays, as in a POSIX shell.
        XCTAssertEqual(words("\"a\\nb\""), ["a\\nb"])
    }

    func testEmptyQuotesAreAWord() {
        XCTAssertEqual(words("\"\""), [""])
        XCTAssertEqual(words("x \"\" y ''"), ["x", "", "y", ""])
    }

    func testCommentAtLineStart() {
        XCTAssertEqual(words("# a whole comment"), [])
        XCTAssertEqual(words("   # indented comment"), [])
    }

    func testCommentAfterAWord() {
        XCTAssertEqual(words("a #b"), ["a"])
        // Quotes inside a comment do not count.
        XCTAssertEqual(words("a # it's fine"), ["a"])
    }

    func testHashInsideAWordIsNotAComment() {
        XCTAssertEqual(words("a#b"), ["a#b"])
        XCTAssertEqual(words("\"#quoted\" x"), ["#quoted", "x"])
    }

    func testUnterminatedSingleQuoteThrows() {
        XCTAssertEqual(failure("name 'Acme"), .unterminatedQuote("'"))
    }

    func testUnterminatedDoubleQuoteThrows() {
        XCTAssertEqual(failure("name \"Acme"), .unterminatedQuote("\""))
        XCTAssertEqual(failure("name \"Acme\\"), .unterminatedQuote("\""))
    }

    func testTrailingLoneBackslashThrows() {
        XCTAssertEqual(failure("abc \\"), .danglingBackslash)
    }

    func testUnicodeWords() {
        XCTAssertEqual(words("Zürich 東京 🚚 \"👩‍👩‍👧 family\""), ["Zürich", "東京", "🚚", "👩‍👩‍👧 family"])
    }
}
