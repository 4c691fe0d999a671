import Postgres
import TestSupport
import XCTest

/// SPEC §4: one-shot commands, help, usage errors and exit codes.
final class OneShotTests: DatabaseTestCase {
    func testOneShotSuccessIsLineOneWithExitZero() throws {
        let run = try procure(["--format", "json", "item", "add", "A", "--name", "Bolt"])
        XCTAssertEqual(run.status, 0)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["line"], .number("1"))
        XCTAssertEqual(object["result"]?["sku"]?.text, "A")
    }

    /// The schema is checked inside a command's own first round trip: a database whose recorded
    /// set is not this binary's (migrated by another binary: its records and its digest setting
    /// differ) is migrated by the command, which then runs; a database migrated before the check
    /// existed gets it.
    func testAStaleSchemaIsMigratedByTheCommandThatFindsIt() throws {
        try sql("UPDATE public.procure_schema_files SET checksum = 'edited by hand'")
        let database = try XCTUnwrap(try sql("SELECT current_database() AS d").first?["d"])
        try sql("ALTER DATABASE \"\(database)\" SET procure.schema_digest = 'another binary'")
        let first = try procure(["--format", "json", "item", "add", "A", "--name", "Bolt"])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM public.procure_schema_files WHERE checksum = 'edited by hand'").first?["n"], "0",
                       "the set was applied again")
        try sql("DROP FUNCTION public.procure_schema_is(text)")
        let second = try procure(["--format", "json", "item", "list"])
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertEqual(try sql("SELECT to_regprocedure('public.procure_schema_is(text)') IS NOT NULL AS present").first?["present"], "t")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.items").first?["n"], "1", "the first command ran once")
    }

    func testFailureExitsOne() throws {
        XCTAssertEqual(try errorCode(["price", "list", "NOPE"]), "not_found")
    }

    func testUsageErrorExitsTwo() throws {
        let run = try procure(["item", "add"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("line 1"), run.stderr)
        let unknownVerb = try procure(["frobnicate"])
        XCTAssertEqual(unknownVerb.status, 2)
    }

    func testEveryVerbHasHelp() throws {
        for verb in [["supplier", "add"], ["item", "add"], ["price", "set"], ["price", "list"], ["po", "create"],
                     ["correct"], ["production"], ["liability", "show"], ["db", "status"],
                     ["notice"], ["po", "document"], ["setting", "set"], ["setting", "list"]] {
            let run = try procure(verb + ["--help"])
            XCTAssertEqual(run.status, 0, "\(verb)")
            XCTAssertTrue(run.stdout.contains("USAGE: procure \(verb.joined(separator: " "))"), "\(verb): \(run.stdout)")
        }
        for verb in [["notice"], ["po", "document"], ["setting", "set"], ["setting", "list"]] {
            XCTAssertTrue(try procure(verb + ["--help"]).stdout.contains("  procure \(verb.joined(separator: " "))"), "\(verb)")
        }
    }

    func testAmountsAreJSONStrings() throws {
        _ = try json(["supplier", "add", "S1", "--name", "Acme"])
        _ = try json(["item", "add", "A", "--name", "Bolt"])
        let price = try json(["price", "set", "S1", "A", "12.5", "--from", "2026-01-01"])
        guard case .string = price["price"] else { return XCTFail("price is not a string: \(price.serialized)") }
        XCTAssertEqual(price["price"]?.text, "12.5000")
    }

    func testCSVAndTableFormats() throws {
        _ = try json(["supplier", "add", "S1", "--name", "Acme, Inc."])
        _ = try json(["item", "add", "A", "--name", "Bolt"])
        _ = try json(["price", "set", "S1", "A", "10", "--from", "2026-01-01"])
        let csv = try procure(["--format", "csv", "price", "list", "S1"])
        XCTAssertEqual(csv.status, 0)
        XCTAssertTrue(csv.stdout.contains("\r\n"))
        XCTAssertTrue(csv.stdout.contains("10.0000"))
        let table = try procure(["price", "list", "S1"])
        XCTAssertTrue(table.stdout.contains("sku"), table.stdout)
        XCTAssertTrue(table.stdout.contains("10.0000"))
    }
}
