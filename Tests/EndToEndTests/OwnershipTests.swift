import Postgres
import TestSupport
import XCTest

/// SPEC §9: buyers own their orders; finance and auditors do not write orders.
final class OwnershipTests: DatabaseTestCase {
    var alice = ""
    var bob = ""
    var finance = ""
    var auditor = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        alice = try seedCatalogue()
        let suffix = TestCluster.uniqueSuffix()
        bob = "bob_\(suffix)"
        finance = "fin_\(suffix)"
        auditor = "aud_\(suffix)"
        _ = try batch([
            "user add \(bob) --role buyer",
            "user add \(finance) --role finance",
            "user add \(auditor) --role auditor",
            "po create S1 --number PO-A A:5 --as \(alice)",
        ])
    }

    /// Another buyer's order is `not_found`, with the very message of an order that does not
    /// exist: nothing tells bob that PO-A is there.
    func testABuyerCannotSeeOrChangeAnotherBuyersOrder() throws {
        for verb in [["po", "issue"], ["po", "price"], ["po", "show"], ["history"], ["correct"]] {
            let tail: [String] = verb == ["po", "price"] ? ["1", "9"]
                : verb == ["correct"] ? ["--reason", "other", "--note", "x"] : []
            let theirs = try failure(verb + ["PO-A"] + tail + ["--as", bob])
            let none = try failure(verb + ["PO-NONE"] + tail + ["--as", bob])
            XCTAssertEqual(theirs.code, "not_found", "\(verb)")
            XCTAssertEqual(theirs.message, none.message.replacingOccurrences(of: "PO-NONE", with: "PO-A"), "\(verb)")
        }
        let list = try json(["po", "list", "--as", bob])
        XCTAssertEqual(list.arrayValue?.count, 0, "bob sees no order of alice's")
        let connection = try Connection(conninfo)
        try connection.execute(script: "SET ROLE \(bob)")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM procure.orders").first?["n"], "0")
        XCTAssertEqual(try connection.query("UPDATE procure.orders SET status = 'issued'").affectedRows, 0)
        XCTAssertEqual(try sql("SELECT status FROM procure.orders WHERE number = 'PO-A'").first?["status"], "draft")
    }

    /// A one-shot JSON command expected to fail: its code and message.
    func failure(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (code: String?, message: String) {
        let run = try procure(["--format", "json"] + arguments)
        let object = try JSONParser.parse(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(object["ok"], .bool(false), "\(arguments) unexpectedly succeeded: \(run.stdout)", file: file, line: line)
        return (object["error"]?["code"]?.text, object["error"]?["message"]?.text ?? "")
    }

    func testFinanceAndAuditorCannotWriteOrders() throws {
        for role in [finance, auditor] {
            XCTAssertEqual(try errorCode(["po", "create", "S1", "A:1", "--as", role]), "permission_denied", role)
            XCTAssertEqual(try errorCode(["po", "issue", "PO-A", "--as", role]), "permission_denied", role)
            XCTAssertEqual(try errorCode(["po", "price", "PO-A", "1", "9", "--as", role]), "permission_denied", role)
            let connection = try Connection(conninfo)
            try connection.execute(script: "SET ROLE \(role)")
            XCTAssertThrowsError(try connection.query("UPDATE procure.order_lines SET qty = 1")) { error in
                XCTAssertEqual((error as? PostgresError)?.code, .insufficientPrivilege, role)
            }
            XCTAssertThrowsError(try connection.query("DELETE FROM procure.orders")) { error in
                XCTAssertEqual((error as? PostgresError)?.code, .insufficientPrivilege, role)
            }
        }
        let shown = try json(["po", "show", "PO-A", "--as", auditor])
        XCTAssertEqual(shown["number"]?.text, "PO-A", "auditors read everything")
    }

    func testBuyersNeverWritePricesSuppliersOrUsers() throws {
        XCTAssertEqual(try errorCode(["price", "set", "S1", "A", "50", "--as", alice]), "permission_denied")
        XCTAssertEqual(try errorCode(["supplier", "add", "S9", "--name", "Mine", "--as", alice]), "permission_denied")
        XCTAssertEqual(try errorCode(["user", "add", "mallory_\(TestCluster.uniqueSuffix())", "--role", "admin", "--as", alice]),
                       "permission_denied")
    }

    func testOnlyFinancePays() throws {
        _ = try json(["po", "issue", "PO-A", "--as", alice])
        XCTAssertEqual(try errorCode(["po", "pay", "PO-A", "10", "--as", alice]), "permission_denied")
        let paid = try json(["po", "pay", "PO-A", "10", "--as", finance])
        XCTAssertNotNil(paid)
    }

    func testUserNamesWithSpacesAndCapitalsWork() throws {
        let name = "Mary Smith \(TestCluster.uniqueSuffix())"
        let added = try json(["user", "add", name, "--role", "buyer"])
        XCTAssertEqual(added["name"]?.text, name)
        let order = try json(["po", "create", "S1", "A:1", "--as", name])
        XCTAssertEqual(order["buyer"]?.text, name)
        // SPEC v2: adding an existing user again is already_exists (it used to reuse the role)
        XCTAssertEqual(try errorCode(["user", "add", name, "--role", "buyer"]), "already_exists")
    }
}
