import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import XCTest

/// The squashed layout (sql/migrations + sql/schema) builds the same schema as the history it
/// replaced (Fixtures/sql-before-squash, the migrations 0001–0016 as they were): `pg_dump
/// --schema-only` of a database built each way, compared object by object. The only objects
/// allowed to differ are listed in `intendedChanges`, each with its reason; anything else that
/// differs fails the test.
final class SquashedSchemaTests: XCTestCase {
    /// Objects of the old history that the squash or a later change meant to alter, keyed by
    /// the dump's entry header, with why.
    static let intendedChanges: [String: String] = [
        "Name: audit_flush(text, text, text, timestamp with time zone, jsonb[], jsonb[]); Type: FUNCTION; Schema: procure; Owner: postgres":
            "dead since the audit moved to commit time: nothing called it",
        "Name: FUNCTION audit_flush(p_table text, p_op text, p_actor text, p_at timestamp with time zone, p_old jsonb[], p_new jsonb[]); Type: ACL; Schema: procure; Owner: postgres":
            "the grant of the dead function above",
        // The liability computed once, by the database: correct_begin + a client calculator +
        // liability_store became one call; the client no longer fetches inputs or sends figures.
        "Name: correct_begin(text, text, text, jsonb, text, numeric); Type: FUNCTION; Schema: procure; Owner: postgres":
            "became procure.correct, which also stores the liability",
        "Name: FUNCTION correct_begin(p_number text, p_reason text, p_note text, p_replace jsonb, p_supplier text, p_settlement numeric); Type: ACL; Schema: procure; Owner: postgres":
            "its grant moved with it",
        "Name: correct(text, text, text, jsonb, text, numeric); Type: FUNCTION; Schema: procure; Owner: postgres":
            "the whole correction in one call",
        "Name: FUNCTION correct(p_number text, p_reason text, p_note text, p_replace jsonb, p_supplier text, p_settlement numeric); Type: ACL; Schema: procure; Owner: postgres":
            "granted to buyers as correct_begin was",
        "Name: liability_store(text, jsonb, jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "stored figures the client computed; the figures trigger computes them now",
        "Name: FUNCTION liability_store(p_number text, p_inputs jsonb, p_result jsonb); Type: ACL; Schema: procure; Owner: postgres":
            "its grant",
        "Name: liability_inputs(text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "fed the client calculator on a recompute; production recomputes in the database",
        "Name: FUNCTION liability_inputs(p_number text); Type: ACL; Schema: procure; Owner: postgres":
            "its grant",
        "Name: liability_difference(jsonb, jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "compared client figures with the database's; there are no client figures",
        "Name: FUNCTION liability_difference(p_result jsonb, p_computed jsonb); Type: ACL; Schema: procure; Owner: postgres":
            "its grant",
        "Name: liabilities_figures(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "computes the figures instead of checking the client's",
        "Name: liability_compute(jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "its figures are what the liability prints: amounts as strings with 2 decimals",
        "Name: liabilities_before(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "leaves the total to the figures trigger",
        "Name: production(text, integer, text, numeric, numeric, numeric, numeric, numeric, numeric, timestamp with time zone); Type: FUNCTION; Schema: procure; Owner: postgres":
            "recomputes the open liability itself",
        // One grammar for a decimal, the CLI's: no exponent, no blanks, no NaN or Infinity.
        "Name: json_num(jsonb, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "accepted 1e2 and blanks; now strict_numeric's grammar",
        "Name: jnum0(jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "cast any text to numeric; now json_num's grammar",
        "Name: strict_numeric(text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "at most 60 characters, as in the CLI",
        // What a newcomer trips on: the price list splits periods, users are added once, money makes sense, errors in words.
        "Name: price_set(text, text, numeric, date, date); Type: FUNCTION; Schema: procure; Owner: postgres":
            "a period inside a longer one splits it, overlaps trim the neighbours; zero refused",
        "Name: price_change(text, numeric, daterange); Type: FUNCTION; Schema: procure; Owner: postgres":
            "one neighbour price_set changed, as it reports it",
        "Name: FUNCTION price_change(p_change text, p_price numeric, p_valid daterange); Type: ACL; Schema: procure; Owner: postgres":
            "its grant to admins",
        "Name: price_periods; Type: TABLE; Schema: procure; Owner: postgres":
            "price_periods_price_positive: a base price is above zero",
        "Name: user_add(text, text, numeric, numeric, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "an existing name is already_exists; never changes a role, never adopts an outside role",
        "Name: adoptable_role(text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "replaced by adoptable_role(text, text): only a user of the same procure group",
        "Name: FUNCTION adoptable_role(p_name text); Type: ACL; Schema: procure; Owner: postgres":
            "its grant went with it",
        "Name: adoptable_role(text, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "adopts only a role of another procure database with the same role",
        "Name: FUNCTION adoptable_role(p_name text, p_role text); Type: ACL; Schema: procure; Owner: postgres":
            "its grant",
        "Name: user_json(procure.users); Type: FUNCTION; Schema: procure; Owner: postgres":
            "a user as user_add, user_set and user_list print it",
        "Name: FUNCTION user_json(u procure.users); Type: ACL; Schema: procure; Owner: postgres":
            "readable by every procure group",
        "Name: user_set(text, text, text, boolean); Type: FUNCTION; Schema: procure; Owner: postgres":
            "user set: limits and whether the user may act",
        "Name: FUNCTION user_set(p_name text, p_max_order_total text, p_max_discount text, p_active boolean); Type: ACL; Schema: procure; Owner: postgres":
            "admins only",
        "Name: limit_arg(text, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "a limit of user set: a decimal or none",
        "Name: FUNCTION limit_arg(p_text text, p_what text); Type: ACL; Schema: procure; Owner: postgres":
            "its ACL",
        "Name: user_list(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "user list",
        "Name: FUNCTION user_list(); Type: ACL; Schema: procure; Owner: postgres":
            "every procure group (RLS decides which rows)",
        "Name: users; Type: TABLE; Schema: procure; Owner: postgres":
            "active: an inactive user can do nothing",
        "Name: check_line_price(procure.orders, integer, bigint, numeric); Type: FUNCTION; Schema: procure; Owner: postgres":
            "a price of zero is refused; a new order or a replacement is named as such",
        "Name: orders_before_insert(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "numbers from order_counter: a failed attempt takes no number",
        "Name: orders_before_update(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "a new order or a replacement is named as such",
        "Name: order_label(procure.orders); Type: FUNCTION; Schema: procure; Owner: postgres":
            "how a message names an order that is being created",
        "Name: FUNCTION order_label(o procure.orders); Type: ACL; Schema: procure; Owner: postgres":
            "its ACL",
        "Name: po_create(text, text, date, text, jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "marks the order being created; an existing number is already_exists",
        "Name: payments_before_insert(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "payments never exceed the order total",
        "Name: order_number_seq; Type: SEQUENCE; Schema: procure; Owner: postgres":
            "replaced by order_counter: numbers without gaps",
        "Name: order_counter; Type: TABLE; Schema: procure; Owner: postgres":
            "the last automatic order number, taken in the creating transaction",
        "Name: order_counter order_counter_pkey; Type: CONSTRAINT; Schema: procure; Owner: postgres":
            "its one row",
        "Name: history(text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "prints values as po show does",
        "Name: audit_shown(jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "an audited row's values as every verb prints them",
        "Name: FUNCTION audit_shown(j jsonb); Type: ACL; Schema: procure; Owner: postgres":
            "its ACL",
    ]

    func testTheSquashedLayoutBuildsTheSchemaOfTheOldHistory() throws {
        let legacy = try TestCluster.createDatabase("legacy")
        let connection = try Connection(legacy)
        for file in try Self.legacyFiles() {
            try connection.transaction { try $0.execute(script: String(contentsOf: file, encoding: .utf8)) }
        }
        let squashed = try TestCluster.createMigratedDatabase("squashed")

        let before = try SchemaDump.entries(of: legacy)
        let after = try SchemaDump.entries(of: squashed).filter { !SchemaDump.isMigrationBookkeeping($0.key) }
        XCTAssertGreaterThan(before.count, 400, "the dump was read")
        var unexpected: [String] = []
        for key in Set(before.keys).union(after.keys).sorted() where before[key] != after[key] {
            if Self.intendedChanges[key] == nil {
                unexpected.append("\(key)\n--- before:\n\(before[key] ?? "(absent)")\n--- after:\n\(after[key] ?? "(absent)")")
            }
        }
        XCTAssertTrue(unexpected.isEmpty, unexpected.joined(separator: "\n\n"))
        for key in Self.intendedChanges.keys {
            XCTAssertNotEqual(before[key], after[key], "listed as changed but equal: \(key)")
        }
    }

    static func legacyFiles() throws -> [URL] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sql-before-squash")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted().map { folder.appendingPathComponent($0) }
    }
}

extension SchemaDump {
    /// The Migrator's own records in `public`, which a database built by hand does not have.
    static func isMigrationBookkeeping(_ header: String) -> Bool {
        header.contains("Schema: public;") && header.contains("procure_")
    }
}
