import Foundation
import Postgres
import XCTest

/// The built `procure` binary run against the test's database (`--db`), as the end-to-end and
/// reliability tests drive it: stdout, stderr and the exit status.
extension DatabaseTestCase {
    /// Runs `procure --db … ARGS` against this test's database, or `db`.
    @discardableResult
    public func procure(_ arguments: [String], stdin: String? = nil, db: String? = nil) throws -> (stdout: String, stderr: String, status: Int32) {
        try ProcureBinary.run(["--db", db ?? conninfo] + arguments, stdin: stdin)
    }

    /// Runs a batch in JSON mode and returns each output line parsed.
    public func batch(_ lines: [String], db: String? = nil, flags: [String] = []) throws -> (objects: [JSONValue], status: Int32, stderr: String) {
        let run = try procure(["--format", "json"] + flags, stdin: lines.joined(separator: "\n") + "\n", db: db)
        let objects = try run.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        return (objects, run.status, run.stderr)
    }

    /// A batch that must succeed line by line (every line but blanks and comments answered).
    public func mustSucceed(_ lines: [String], db: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try batch(lines, db: db)
        let failures = run.objects.filter { $0["ok"] != .bool(true) }
        XCTAssertEqual(run.status, 0, "\(failures.prefix(5).map(\.serialized)) \(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.objects.count, lines.count(where: { !$0.isEmpty && !$0.hasPrefix("#") }), file: file, line: line)
    }

    /// A one-shot JSON command's result, failing the test if it did not succeed.
    public func json(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["ok"], .bool(true), "\(arguments): \(run.stdout) \(run.stderr)", file: file, line: line)
        return object["result"] ?? .null
    }

    /// A one-shot JSON command expected to fail; returns its error code.
    public func errorCode(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["ok"], .bool(false), "\(arguments) unexpectedly succeeded: \(run.stdout)", file: file, line: line)
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        return object["error"]?["code"]?.text
    }
}
