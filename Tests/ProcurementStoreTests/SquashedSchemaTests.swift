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
        // What a newcomer looks for: supplier set / list, item list, a draft's lines, po list by
        // date, an import that names every bad row.
        "Name: suppliers; Type: TABLE; Schema: procure; Owner: postgres":
            "review_days, finance's window to answer a claim (default 15, never negative)",
        "Name: supplier_json(procure.suppliers); Type: FUNCTION; Schema: procure; Owner: postgres":
            "shows review_days",
        "Name: supplier_terms(procure.suppliers); Type: FUNCTION; Schema: procure; Owner: postgres":
            "the checks of a supplier's terms, shared by supplier_add and supplier_set",
        "Name: FUNCTION supplier_terms(s procure.suppliers); Type: ACL; Schema: procure; Owner: postgres":
            "admins, who add and change suppliers",
        "Name: supplier_add(text, text, text, text, numeric, jsonb, integer); Type: FUNCTION; Schema: procure; Owner: postgres":
            "takes --review-days now",
        "Name: FUNCTION supplier_add(p_code text, p_name text, p_currency text, p_regime text, p_profit_rate numeric, p_schedule jsonb, p_claim_days integer); Type: ACL; Schema: procure; Owner: postgres":
            "its grant moved to the new signature",
        "Name: supplier_add(text, text, text, text, numeric, jsonb, integer, integer); Type: FUNCTION; Schema: procure; Owner: postgres":
            "supplier_add with --review-days (optional, so older calls still work)",
        "Name: FUNCTION supplier_add(p_code text, p_name text, p_currency text, p_regime text, p_profit_rate numeric, p_schedule jsonb, p_claim_days integer, p_review_days integer); Type: ACL; Schema: procure; Owner: postgres":
            "admins, as before",
        "Name: supplier_set(text, text, text, text, numeric, jsonb, integer, integer); Type: FUNCTION; Schema: procure; Owner: postgres":
            "supplier set: change a supplier's name or terms",
        "Name: FUNCTION supplier_set(p_code text, p_name text, p_currency text, p_regime text, p_profit_rate numeric, p_schedule jsonb, p_claim_days integer, p_review_days integer); Type: ACL; Schema: procure; Owner: postgres":
            "admins keep suppliers",
        "Name: supplier_list(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "supplier list",
        "Name: FUNCTION supplier_list(); Type: ACL; Schema: procure; Owner: postgres":
            "everyone reads suppliers",
        "Name: item_list(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "item list",
        "Name: FUNCTION item_list(); Type: ACL; Schema: procure; Owner: postgres":
            "everyone reads items",
        "Name: po_line_add(text, jsonb); Type: FUNCTION; Schema: procure; Owner: postgres":
            "po line add: a line added to a draft",
        "Name: FUNCTION po_line_add(p_number text, p_line jsonb); Type: ACL; Schema: procure; Owner: postgres":
            "buyers, on their own drafts (RLS)",
        "Name: po_line_set(text, integer, numeric, numeric, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "po line set: a draft line's quantity, price or item",
        "Name: FUNCTION po_line_set(p_number text, p_line integer, p_qty numeric, p_price numeric, p_sku text); Type: ACL; Schema: procure; Owner: postgres":
            "buyers, on their own drafts (RLS)",
        "Name: po_line_remove(text, integer); Type: FUNCTION; Schema: procure; Owner: postgres":
            "po line remove: a line removed from a draft",
        "Name: FUNCTION po_line_remove(p_number text, p_line integer); Type: ACL; Schema: procure; Owner: postgres":
            "buyers, on their own drafts (RLS)",
        "Name: po_list(text, text, text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "became po_list with --from, --to and --limit",
        "Name: FUNCTION po_list(p_buyer text, p_supplier text, p_status text); Type: ACL; Schema: procure; Owner: postgres":
            "its grant moved with it",
        "Name: po_list(text, text, text, date, date, integer); Type: FUNCTION; Schema: procure; Owner: postgres":
            "newest first, numbers in natural order, bounded by order date and count",
        "Name: FUNCTION po_list(p_buyer text, p_supplier text, p_status text, p_from date, p_to date, p_limit integer); Type: ACL; Schema: procure; Owner: postgres":
            "everyone who reads orders, as before",
        "Name: natural_sort_key(text); Type: FUNCTION; Schema: procure; Owner: postgres":
            "the sort key of po list's natural order (PO-2 before PO-10)",
        "Name: FUNCTION natural_sort_key(p text); Type: ACL; Schema: procure; Owner: postgres":
            "callable wherever po_list is",
        "Name: import_orders_apply(); Type: FUNCTION; Schema: procure; Owner: postgres":
            "reports every bad row (the first 20), and blames a row that differs from its order's first row, not the first",
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
