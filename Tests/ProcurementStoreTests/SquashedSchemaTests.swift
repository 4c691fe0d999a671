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
