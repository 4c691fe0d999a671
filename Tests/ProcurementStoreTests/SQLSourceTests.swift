import Foundation
import ProcurementStore
import TestSupport
import XCTest

/// The Migrator reads the SQL compiled into the binary, or the folder $PROCURE_SQL_DIR names.
final class SQLSourceTests: XCTestCase {
    private static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheMigratorMakesOfTheEmbeddedFilesWhatItMakesOfTheFolder() throws {
        let sql = Self.checkout.appendingPathComponent("sql")
        let fromBinary = try Migrator.embedded()
        let fromFolder = try Migrator(directory: sql)
        XCTAssertEqual(fromBinary.migrations, fromFolder.migrations)
        XCTAssertEqual(fromBinary.schema, fromFolder.schema)
    }

    func testPROCURE_SQL_DIRReplacesTheEmbeddedFiles() throws {
        let folder = try TemporaryFolder.make(prefix: "sqldir-")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        try "SELECT 1;".write(to: folder.appendingPathComponent("migrations/0001_only.sql"), atomically: true, encoding: .utf8)
        let chosen = try Migrator.configured(environment: ["PROCURE_SQL_DIR": folder.path])
        XCTAssertEqual(chosen.migrations, [Migration(version: 1, name: "only", sql: "SELECT 1;")])
        XCTAssertEqual(chosen.schema, [])
        let embedded = try Migrator.embedded()
        for environment in [[:], ["PROCURE_SQL_DIR": ""]] {
            let configured = try Migrator.configured(environment: environment)
            XCTAssertEqual(configured.migrations, embedded.migrations)
            XCTAssertEqual(configured.schema, embedded.schema)
        }
        XCTAssertThrowsError(try Migrator.configured(environment: ["PROCURE_SQL_DIR": folder.appendingPathComponent("none").path]))
    }
}
