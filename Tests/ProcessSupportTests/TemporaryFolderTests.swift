import Foundation
import ProcessSupport
import XCTest

final class TemporaryFolderTests: XCTestCase {
    func testMakeCreatesAFreshPrivateFolderUnderTmp() throws {
        let a = try TemporaryFolder.make(prefix: "tf-")
        let b = try TemporaryFolder.make(prefix: "tf-")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.path.hasPrefix("/tmp/tf-"))
        XCTAssertEqual(a.lastPathComponent.count, "tf-".count + 6, "short: a socket path inside must fit")
        var isFolder: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: a.path, isDirectory: &isFolder) && isFolder.boolValue)
        let mode = try FileManager.default.attributesOfItem(atPath: a.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o700)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: a.path), [])
    }

    func testMakeFailsWhenTheNameCannotBeMade() {
        XCTAssertThrowsError(try TemporaryFolder.make(prefix: "no-such-folder-\(UUID().uuidString)/x-"))
    }

    func testFileHoldsTheContentsUnderAFreshName() throws {
        let text = try TemporaryFolder.file("hello\n", suffix: ".csv")
        let data = try TemporaryFolder.file(Data([0, 1, 2]))
        defer {
            unlink(text)
            unlink(data)
        }
        XCTAssertNotEqual(text, data)
        XCTAssertTrue(text.hasSuffix(".csv"))
        XCTAssertTrue(data.hasSuffix(".txt"))
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "hello\n")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: data)), Data([0, 1, 2]))
    }

    func testNewPathIsUnusedAndNotCreated() {
        let a = TemporaryFolder.newPath(prefix: "np", suffix: ".out")
        let b = TemporaryFolder.newPath(prefix: "np", suffix: ".out")
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(URL(fileURLWithPath: a).lastPathComponent.hasPrefix("np-\(getpid())-"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: a))
    }
}
