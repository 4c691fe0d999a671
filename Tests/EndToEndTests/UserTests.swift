import Postgres
import TestSupport
import XCTest

/// Users: a name is added once and its role never changes; limits change with `user set`;
/// an inactive user can do nothing; `user list` shows what the acting user may see.
final class UserTests: DatabaseTestCase {
    func unique(_ prefix: String) -> String { "\(prefix)_\(TestCluster.uniqueSuffix())" }

    func testAddingAnExistingUserIsAlreadyExistsAndNeverChangesItsRole() throws {
        let name = unique("buyer")
        _ = try json(["user", "add", name, "--role", "buyer", "--max-discount", "5"])
        let run = try procure(["user", "add", name, "--role", "finance"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("already_exists: user \(name) already exists (role buyer)"), run.stderr)
        XCTAssertEqual(try errorCode(["user", "add", name, "--role", "buyer", "--max-discount", "50"]), "already_exists")
        let row = try sql("SELECT role, max_discount::text AS d FROM procure.users WHERE name = $1", [name]).first
        XCTAssertEqual(row?["role"], "buyer")
        XCTAssertEqual(row?["d"], "5")
        let groups = try sql("""
            SELECT string_agg(g.rolname, ',') AS g FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
             JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1
            """, [name]).first?["g"]
        XCTAssertEqual(groups, "procure_buyer")
    }

    func testRolesOutsideProcureAreNeverAdopted() throws {
        XCTAssertEqual(try errorCode(["user", "add", "postgres", "--role", "admin"]), "already_exists")
        let outsider = unique("app")
        _ = try sql("CREATE ROLE \(outsider) NOLOGIN")
        let run = try procure(["user", "add", outsider, "--role", "buyer"])
        XCTAssertTrue(run.stderr.contains("already_exists: user \(outsider): the name is taken by an existing PostgreSQL role"), run.stderr)
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = 'postgres'")
            .first?["n"], "0")
        XCTAssertEqual(try sql("SELECT count(*) AS n FROM procure.users").first?["n"], "0")
    }

    func testUserSetChangesAndClearsLimits() throws {
        let name = unique("buyer")
        _ = try json(["user", "add", name, "--role", "buyer"])
        var user = try json(["user", "set", name, "--max-order-total", "500", "--max-discount", "10"])
        XCTAssertEqual(user["max_order_total"]?.text, "500.00")
        XCTAssertEqual(user["max_discount"]?.text, "10")
        XCTAssertEqual(user["role"]?.text, "buyer")
        user = try json(["user", "set", name, "--max-discount", "none"])
        XCTAssertEqual(user["max_discount"], .null)
        XCTAssertEqual(user["max_order_total"]?.text, "500.00", "a limit not named stays")
        XCTAssertEqual(try errorCode(["user", "set", name, "--max-discount", "150"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["user", "set", name, "--max-order-total", "lots"]), "invalid_argument")
        XCTAssertEqual(try errorCode(["user", "set", unique("nobody"), "--max-discount", "1"]), "not_found")
        let other = unique("buyer")
        _ = try json(["user", "add", other, "--role", "buyer"])
        XCTAssertEqual(try errorCode(["user", "set", name, "--max-discount", "1", "--as", other]), "permission_denied")
    }

    func testAnInactiveUserCanDoNothingUntilActiveAgain() throws {
        let buyer = try seedCatalogue()
        _ = try json(["po", "create", "S1", "--number", "PO-1", "A:1", "--as", buyer])
        XCTAssertEqual(try json(["user", "set", buyer, "--active", "false"])["active"], .bool(false))
        let run = try procure(["po", "show", "PO-1", "--as", buyer])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("permission_denied: this user may not use procure: it is inactive"), run.stderr)
        XCTAssertFalse(run.stderr.contains("schema"), run.stderr)
        XCTAssertEqual(try json(["user", "set", buyer, "--active", "true"])["active"], .bool(true))
        _ = try json(["po", "show", "PO-1", "--as", buyer])
    }

    func testUserListShowsWhatTheActingUserMaySee() throws {
        let buyer = unique("buyer"), finance = unique("fin")
        _ = try json(["user", "add", buyer, "--role", "buyer", "--max-order-total", "100"])
        _ = try json(["user", "add", finance, "--role", "finance"])
        let all = try json(["user", "list"]).arrayValue ?? []
        XCTAssertEqual(all.map { $0["name"]?.text ?? "" }, [buyer, finance].sorted())
        XCTAssertEqual(all.first { $0["name"]?.text == buyer }?["max_order_total"]?.text, "100.00")
        let mine = try json(["user", "list", "--as", buyer]).arrayValue ?? []
        XCTAssertEqual(mine.map { $0["name"]?.text ?? "" }, [buyer], "a buyer sees itself only")
        let table = try procure(["user", "list"])
        XCTAssertTrue(table.stdout.hasPrefix("name"), table.stdout)
    }
}
