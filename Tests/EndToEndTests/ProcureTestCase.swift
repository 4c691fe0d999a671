import Foundation
import Postgres
import TestSupport
import XCTest

/// Base class of end-to-end tests: each test gets a freshly migrated database and runs the
/// built `procure` binary against it with `--db`.
class ProcureTestCase: XCTestCase {
    var conninfo = ""

    override func setUpWithError() throws {
        conninfo = try TestCluster.createMigratedDatabase("e2e")
    }

    /// Runs `procure --db … ARGS` and returns stdout, stderr and the exit status.
    @discardableResult
    func procure(_ arguments: [String], stdin: String? = nil) throws -> (stdout: String, stderr: String, status: Int32) {
        try ProcureBinary.run(["--db", conninfo] + arguments, stdin: stdin)
    }

    /// Runs a batch in JSON mode and returns each output line parsed.
    func batch(_ lines: [String], flags: [String] = []) throws -> (objects: [JSONValue], status: Int32, stderr: String) {
        let run = try procure(["--format", "json"] + flags, stdin: lines.joined(separator: "\n") + "\n")
        let objects = try run.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        return (objects, run.status, run.stderr)
    }

    /// A one-shot JSON command's result, failing the test if it did not succeed.
    func json(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["ok"], .bool(true), "\(arguments): \(run.stdout) \(run.stderr)", file: file, line: line)
        return object["result"] ?? .null
    }

    /// A one-shot JSON command expected to fail; returns its error code.
    func errorCode(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["ok"], .bool(false), "\(arguments) unexpectedly succeeded: \(run.stdout)", file: file, line: line)
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        return object["error"]?["code"]?.text
    }

    /// Runs SQL directly against the test database (as its superuser).
    func sql(_ text: String, _ parameters: [any PostgresEncodable] = []) throws -> QueryResult {
        let connection = try Connection(conninfo)
        return try connection.query(text, parameters)
    }

    /// Supplier S1 (cost regime, profit 10 %), items A and B with base prices 10 and 25 from
    /// 2026-01-01, and a buyer with a unique name (roles are cluster-wide).
    func seedCatalogue() throws -> String {
        let buyer = "buyer_\(UInt32.random(in: 0...UInt32.max))"
        let setup = [
            "supplier add S1 --name 'Acme Metals' --profit-rate 10",
            "item add A --name Bolt",
            "item add B --name Nut",
            "price set S1 A 10 --from 2026-01-01",
            "price set S1 B 25 --from 2026-01-01",
            "user add \(buyer) --role buyer",
        ]
        let result = try batch(setup)
        XCTAssertEqual(result.status, 0, "seed failed: \(result.objects.map(\.serialized)) \(result.stderr)")
        return buyer
    }
}
