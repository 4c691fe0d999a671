import Postgres
import TestSupport
import XCTest

/// `supplier set`, `supplier list`, `item list`: the master data a newcomer looks for.
final class MasterDataTests: DatabaseTestCase {
    func testSupplierSetChangesOnlyTheTermsGiven() throws {
        let added = try json(["supplier", "add", "S1", "--name", "Acme Metals", "--profit-rate", "10"])
        XCTAssertEqual(added["claim_days"]?.text, "15")
        XCTAssertEqual(added["review_days"]?.text, "15", "a new supplier's review window defaults to 15 days")
        let changed = try json(["supplier", "set", "S1", "--claim-days", "30", "--review-days", "10", "--regime", "expectation"])
        XCTAssertEqual(changed["claim_days"]?.text, "30")
        XCTAssertEqual(changed["review_days"]?.text, "10")
        XCTAssertEqual(changed["regime"]?.text, "expectation")
        XCTAssertEqual(changed["name"]?.text, "Acme Metals", "an option left out stays as it was")
        XCTAssertEqual(changed["profit_rate"]?.text, "10")
        let renamed = try json(["supplier", "set", "S1", "--name", "Acme Metals Ltd",
                                "--schedule", "acknowledged=5,materials=25.50"])
        XCTAssertEqual(renamed["name"]?.text, "Acme Metals Ltd")
        XCTAssertEqual(renamed["schedule"]?["materials"]?.text, "25.5")
        XCTAssertEqual(renamed["claim_days"]?.text, "30")
        let stored = try sql("SELECT name, claim_days, review_days, regime FROM procure.suppliers WHERE code = 'S1'").first
        XCTAssertEqual(stored?["name"], "Acme Metals Ltd")
        XCTAssertEqual(stored?["claim_days"], "30")
        XCTAssertEqual(stored?["review_days"], "10")
        XCTAssertEqual(stored?["regime"], "expectation")
    }

    func testSupplierSetRefusesBadTermsInTheUsersWordsAndChangesNothing() throws {
        _ = try json(["supplier", "add", "S1", "--name", "Acme", "--review-days", "7"])
        let negative = try procure(["--format", "json", "supplier", "set", "S1", "--review-days=-1"])
        XCTAssertEqual(negative.status, 1, negative.stdout + negative.stderr)
        XCTAssertTrue(negative.stdout.contains("invalid_argument") && negative.stdout.contains("--review-days"), negative.stdout)
        XCTAssertEqual(try errorCode(["supplier", "set", "S1", "--regime", "gift"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["supplier", "set", "S1", "--currency", "euro"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["supplier", "set", "NOPE", "--name", "x"]), "not_found")
        XCTAssertEqual(try errorCode(["supplier", "add", "S2", "--name", "Beta", "--claim-days=-3"]), "invalid_argument")
        let stored = try sql("SELECT regime, currency, review_days FROM procure.suppliers WHERE code = 'S1'").first
        XCTAssertEqual(stored?["regime"], "cost")
        XCTAssertEqual(stored?["currency"], "CNY")
        XCTAssertEqual(stored?["review_days"], "7")
    }

    func testOnlyAdminsChangeSuppliers() throws {
        let buyer = try seedCatalogue()
        XCTAssertEqual(try errorCode(["supplier", "set", "S1", "--profit-rate", "50", "--as", buyer]), "permission_denied")
        XCTAssertEqual(try sql("SELECT profit_rate FROM procure.suppliers WHERE code = 'S1'").first?["profit_rate"], "10")
    }

    func testSupplierListAndItemListShowEveryoneTheMasterDataByCode() throws {
        let buyer = try seedCatalogue()
        _ = try json(["supplier", "add", "S0", "--name", "Zero Parts", "--currency", "USD"])
        _ = try json(["item", "add", "0-PIN", "--name", "Pin", "--uom", "box"])
        let suppliers = try json(["supplier", "list", "--as", buyer]).arrayValue ?? []
        XCTAssertEqual(suppliers.compactMap { $0["code"]?.text }, ["S0", "S1"])
        XCTAssertEqual(suppliers.first?["currency"]?.text, "USD")
        XCTAssertEqual(suppliers.last?["profit_rate"]?.text, "10")
        let items = try json(["item", "list", "--as", buyer]).arrayValue ?? []
        XCTAssertEqual(items.compactMap { $0["sku"]?.text }, ["0-PIN", "A", "B"])
        XCTAssertEqual(items.first?["uom"]?.text, "box")
        let table = try procure(["item", "list"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("Bolt") && table.stdout.contains("Nut"), table.stdout)
    }
}
