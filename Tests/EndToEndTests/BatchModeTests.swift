import Postgres
import TestSupport
import XCTest

/// SPEC §4: batch mode, JSON Lines, exit codes, --atomic, --stop-on-error, quoting.
final class BatchModeTests: DatabaseTestCase {
    private let fiveLines = [
        "item add A --name 'Bolt M6'",
        "item add B --name \"Nut M6\"",
        "price set NOPE A 10",          // line 3: unknown supplier
        "# a comment, skipped",
        "",
        "item add C --name Washer",
        "item add D --name Spring",
    ]

    func testThirdOfFiveLinesFailsAndTheRestAreApplied() throws {
        let run = try batch(fiveLines)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects.count, 5)
        XCTAssertEqual(run.objects.filter { $0["ok"] == .bool(true) }.count, 4)
        let failure = try XCTUnwrap(run.objects.first { $0["ok"] == .bool(false) })
        XCTAssertEqual(failure["line"], .number("3"))
        XCTAssertEqual(failure["error"]?["code"]?.text, "not_found")
        XCTAssertEqual(run.objects.map { $0["line"]?.text }, ["1", "2", "3", "6", "7"])
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "4")
    }

    func testAtomicBatchWithABadLineWritesNothing() throws {
        let run = try batch(fiveLines, flags: ["--atomic"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects.filter { $0["ok"] == .bool(true) }.count, 4)
        XCTAssertEqual(run.objects.first { $0["ok"] == .bool(false) }?["line"], .number("3"))
        XCTAssertTrue(run.stderr.contains("rolled back"))
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "0")
    }

    func testAtomicBatchWithoutErrorsCommits() throws {
        let run = try batch(["item add A --name Bolt", "item add B --name Nut"], flags: ["--atomic"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "2")
    }

    func testStopOnErrorStopsAtTheFirstFailure() throws {
        let run = try batch(fiveLines, flags: ["--stop-on-error"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects.count, 3)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "2")
    }

    func testUnterminatedQuoteIsAnErrorForThatLineOnly() throws {
        let run = try batch(["item add A --name 'Bolt", "item add B --name Nut"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects[0]["error"]?["code"]?.text, "invalid_argument")
        XCTAssertTrue(run.objects[0]["error"]?["message"]?.text?.contains("unterminated") ?? false)
        XCTAssertEqual(run.objects[1]["ok"], .bool(true))
    }

    func testQuotedValuesAreStoredVerbatim() throws {
        let hostile = "'); DROP TABLE procure.items; --"
        let run = try batch(["item add X --name \"\(hostile)\"", "item add Y --name 'Zürich 東京'"])
        XCTAssertEqual(run.status, 0, "\(run.objects.map(\.serialized))")
        XCTAssertEqual(try sql("SELECT name FROM procure.items WHERE sku = 'X'").first?["name"], hostile)
        XCTAssertEqual(try sql("SELECT name FROM procure.items WHERE sku = 'Y'").first?["name"], "Zürich 東京")
    }

    func testRunFileReadsABatchFromAFile() throws {
        let path = NSTemporaryDirectory() + "procure-batch-\(UInt32.random(in: 0...UInt32.max)).txt"
        try "item add A --name Bolt\nitem add A --name Again\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try procure(["--format", "json", "run", path])
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].contains("\"line\":2,\"ok\":false"))
    }

    /// A batch parses its next lines while one runs; each line still runs after the one before
    /// it has committed: a second `item add` of a SKU fails because the first was written, over
    /// more lines than the batch reads ahead.
    func testEachLineSeesTheLinesBeforeItAlthoughTheNextAreParsedAhead() throws {
        let lines = (1...60).flatMap { ["item add K\($0) --name Part", "item add K\($0) --name Again"] }
        let run = try batch(lines)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects.map { $0["line"]?.text }, (1...120).map { String($0) })
        XCTAssertEqual(run.objects.map { $0["ok"] == .bool(true) }, (1...60).flatMap { _ in [true, false] })
        XCTAssertEqual(run.objects[1]["error"]?["code"]?.text, "already_exists")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "60")
    }

    /// Reading lines go to the server together (`executeReadingAhead`): each still answers what
    /// it would alone, in order, after the writes before it and before the writes after it, a
    /// failed read (an unknown order, an unknown user) taking no other line down.
    func testReadsSentAheadAnswerInOrderAmongWrites() throws {
        let buyer = try seedCatalogue()
        XCTAssertEqual(try batch(["po create S1 A:1 --number PO-R1 --date 2026-02-01 --as \(buyer)"]).status, 0)
        var lines: [String] = []
        for round in 1...3 {
            lines += Array(repeating: "po show PO-R1 --as \(buyer)", count: 20)
            lines += ["po show PO-NONE --as \(buyer)", "po show PO-R1 --as nobody_\(round)", "item list"]
            lines += ["po line add PO-R1 B:\(round) --as \(buyer)"]
        }
        lines += Array(repeating: "po show PO-R1 --as \(buyer)", count: 5)
        let run = try batch(lines)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.objects.map { $0["line"]?.text }, lines.indices.map { String($0 + 1) })
        var shownLines = 1
        for (line, answer) in zip(lines, run.objects) {
            if line.hasPrefix("po line add") {
                XCTAssertEqual(answer["ok"], .bool(true), "\(answer.serialized)")
                shownLines += 1
            } else if line.contains("PO-NONE") {
                XCTAssertEqual(answer["error"]?["code"]?.text, "not_found")
            } else if line.contains("nobody_") {
                XCTAssertEqual(answer["error"]?["code"]?.text, "not_found")
            } else if line == "item list" {
                XCTAssertEqual(answer["result"]?.arrayValue?.count, 2)
            } else {
                XCTAssertEqual(answer["result"]?["lines"]?.arrayValue?.count, shownLines, "\(line) after \(shownLines - 1) line adds")
            }
        }
    }

    /// Answers stream: a line's answer comes while the batch's input is still open, so a
    /// program may write a line, read its answer and then decide on the next.
    func testALinesAnswerComesBeforeTheInputEnds() throws {
        signal(SIGPIPE, SIG_IGN)
        let out = TemporaryFolder.newPath(prefix: "procure-stream") + ".out"
        let child = try SpawnedProcess([try ProcureBinary.path(), "--db", conninfo, "--format", "json"],
                                       input: .pipe, output: .file(out), error: .null)
        defer { child.terminate() }
        for (index, sku) in ["S1", "S2"].enumerated() {
            XCTAssertTrue(child.write(Array("item add \(sku) --name Part\n".utf8)))
            let deadline = Date().addingTimeInterval(30)
            var answers = 0
            while Date() < deadline {
                answers = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").count
                if answers > index { break }
                usleep(10_000)
            }
            XCTAssertEqual(answers, index + 1, "line \(index + 1) was not answered while the input stayed open")
        }
        child.closeInput()
        XCTAssertEqual(child.wait(timeout: 30).status, 0)
    }
}
