import Foundation
@testable import ProcurementStore
import TestSupport
import XCTest

/// `Migrator.readUTF8` (the fast read of a migration file) gives exactly Foundation's text, or
/// nil so that Foundation decides.
final class MigrationFileTests: XCTestCase {
    func testTheProjectsFilesReadTheSame() throws {
        let sql = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql")
        var urls: [URL] = []
        for folder in ["migrations", "schema"].map({ sql.appendingPathComponent($0) }) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            urls += files.filter { $0.hasSuffix(".sql") }.map { folder.appendingPathComponent($0) }
        }
        XCTAssertFalse(urls.isEmpty)
        for url in urls {
            XCTAssertEqual(Migrator.readUTF8(url.path), try String(contentsOf: url, encoding: .utf8), url.lastPathComponent)
        }
    }

    func testOddFilesAreLeftToFoundation() throws {
        let folder = try TemporaryFolder.make(prefix: "migfile-")
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            return url.path
        }
        XCTAssertEqual(Migrator.readUTF8(try write("empty.sql", [])), "")
        XCTAssertEqual(Migrator.readUTF8(try write("text.sql", Array("SELECT 'é€𝄞';\n".utf8))), "SELECT 'é€𝄞';\n")
        let big = String(repeating: "SELECT 1; -- ünïcode\n", count: 10_000)
        XCTAssertEqual(Migrator.readUTF8(try write("big.sql", Array(big.utf8))), big)
        XCTAssertNil(Migrator.readUTF8(try write("bom.sql", [0xEF, 0xBB, 0xBF] + Array("SELECT 1;".utf8))))
        XCTAssertNil(Migrator.readUTF8(try write("latin1.sql", [0x53, 0xE9, 0x3B])))
        XCTAssertNil(Migrator.readUTF8(folder.appendingPathComponent("missing.sql").path))
    }
}
