import Foundation
import Postgres
import XCTest

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
