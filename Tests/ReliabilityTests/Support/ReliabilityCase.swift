import Foundation
import Postgres
import TestSupport
import XCTest

/// Base of the reliability tests: a freshly migrated database per test (in the shared
/// throwaway cluster of TestSupport), the built binary, SQL as the superuser or as a role.
class ReliabilityCase: XCTestCase {
    var conninfo = ""

    override func setUpWithError() throws {
        conninfo = try TestCluster.createMigratedDatabase("rel")
    }

    /// A unique suffix for role names: roles are cluster-wide, databases are not.
    static func uniqueSuffix() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    @discardableResult
    func procure(_ arguments: [String], stdin: String? = nil, db: String? = nil) throws -> (stdout: String, stderr: String, status: Int32) {
        try ProcureBinary.run(["--db", db ?? conninfo] + arguments, stdin: stdin)
    }

    /// A batch in JSON mode; each output line parsed.
    func batch(_ lines: [String], db: String? = nil, flags: [String] = []) throws -> (objects: [JSONValue], status: Int32, stderr: String) {
        let run = try procure(["--format", "json"] + flags, stdin: lines.joined(separator: "\n") + "\n", db: db)
        let objects = try run.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        return (objects, run.status, run.stderr)
    }

    /// A batch that must succeed line by line.
    func mustSucceed(_ lines: [String], db: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try batch(lines, db: db)
        let failures = run.objects.filter { $0["ok"] != .bool(true) }
        XCTAssertEqual(run.status, 0, "\(failures.prefix(5).map(\.serialized)) \(run.stderr)", file: file, line: line)
        XCTAssertEqual(run.objects.count, lines.count(where: { !$0.isEmpty && !$0.hasPrefix("#") }), file: file, line: line)
    }

    func sql(_ text: String, _ parameters: [any PostgresEncodable] = [], db: String? = nil) throws -> QueryResult {
        let connection = try Connection(db ?? conninfo)
        return try connection.query(text, parameters)
    }

    func scalar(_ text: String, _ parameters: [any PostgresEncodable] = [], db: String? = nil) throws -> String? {
        try sql(text, parameters, db: db).first?[0]
    }
}

/// Figures for docs/reliability.md: printed as `RELIABILITY FIGURE name = value` lines, and
/// appended to `$PROCURE_RELIABILITY_FIGURES` when that names a file.
enum Figures {
    static func record(_ name: String, _ value: CustomStringConvertible) {
        let line = "RELIABILITY FIGURE \(name) = \(value)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        if let path = ProcessInfo.processInfo.environment["PROCURE_RELIABILITY_FIGURES"], !path.isEmpty {
            if let handle = FileHandle(forWritingAtPath: path) ?? {
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)
            }() {
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                try? handle.close()
            }
        }
    }
}

/// Parses JSON Lines output; a line that is not JSON fails the test and is skipped.
func parseJSONLines(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [JSONValue] {
    var objects: [JSONValue] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
        do {
            objects.append(try JSONParser.parse(String(raw)))
        } catch {
            XCTFail("output line \(index + 1) is not JSON: \(raw.prefix(300))", file: file, line: line)
        }
    }
    return objects
}

extension JSONValue {
    var lineNumber: Int? { self["line"]?.text.flatMap { Int($0) } }
    var succeeded: Bool { self["ok"] == .bool(true) }
    var errorCode: String? { self["error"]?["code"]?.text }
}
