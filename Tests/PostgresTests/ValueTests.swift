import Foundation
import Postgres
import TestSupport
import XCTest

/// Parameters and decoded columns: everything travels as text, so each type must survive the
/// trip to the server and back exactly.
final class ValueTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    // MARK: Parameters

    func testNilIsSQLNull() throws {
        let missing: String? = nil
        let present: Int? = 7
        let row = try XCTUnwrap(connection.query(
            "SELECT $1::text AS a, $1::text IS NULL AS a_is_null, $2::int AS b", [missing, present]).first)
        XCTAssertNil(row["a"])
        XCTAssertEqual(try row.decode(Bool.self, "a_is_null"), true)
        XCTAssertNil(try row.decodeIfPresent(String.self, "a"))
        XCTAssertEqual(try row.decodeIfPresent(Int.self, "b"), 7)
        let error = expectError(PostgresError.self) { _ = try row.decode(String.self, "a") }
        XCTAssertEqual(error?.kind, .client)
    }

    func testUnicodeTextRoundTrips() throws {
        let text = "Zürich 東京 🚚"
        let row = try XCTUnwrap(connection.query(
            "SELECT $1::text AS v, char_length($1::text) AS chars, octet_length($1::text) AS bytes", [text]).first)
        XCTAssertEqual(row["v"], text)
        XCTAssertEqual(try row.decode(Int.self, "chars"), text.unicodeScalars.count)
        XCTAssertEqual(try row.decode(Int.self, "bytes"), text.utf8.count)
    }

    func testQuotesInParametersAreNeverSQL() throws {
        try connection.execute(script: "CREATE TEMP TABLE x (v text)")
        let hostile = "'); DROP TABLE x; --"
        try connection.query("INSERT INTO x (v) VALUES ($1)", [hostile])
        try connection.query("INSERT INTO x (v) VALUES ($1)", ["O'Brien \"quoted\" \\ back"])
        let values = try connection.query("SELECT v FROM x ORDER BY v").rows.map { $0["v"] }
        XCTAssertEqual(values, ["'); DROP TABLE x; --", "O'Brien \"quoted\" \\ back"])
    }

    func testIntegers() throws {
        let row = try XCTUnwrap(connection.query(
            "SELECT $1::bigint AS big, $2::bigint AS small, $3::int AS i32, $4::bigint AS i64, $5::int + $6::int AS sum",
            [Int.max, Int.min, Int32.min, Int64(-42), 40, 2]).first)
        XCTAssertEqual(try row.decode(Int.self, "big"), Int.max)
        XCTAssertEqual(try row.decode(Int.self, "small"), Int.min)
        XCTAssertEqual(try row.decode(Int32.self, "i32"), Int32.min)
        XCTAssertEqual(try row.decode(Int64.self, "i64"), -42)
        XCTAssertEqual(try row.decode(Int.self, "sum"), 42)
        XCTAssertEqual(try row.decode(Int.self, at: 4), 42)
    }

    func testOverflowIsAServerError() throws {
        let error = expectError(PostgresError.self) { try connection.query("SELECT $1::bigint + 1", [Int.max]) }
        XCTAssertEqual(error?.code, .numericValueOutOfRange)
    }

    func testBooleans() throws {
        let row = try XCTUnwrap(connection.query(
            "SELECT $1::bool AS t, $2::bool AS f, NOT $1::bool AS not_t", [true, false]).first)
        XCTAssertEqual(row["t"], "t")
        XCTAssertEqual(try row.decode(Bool.self, "t"), true)
        XCTAssertEqual(try row.decode(Bool.self, "f"), false)
        XCTAssertEqual(try row.decode(Bool.self, "not_t"), false)
    }

    func testDecodingTheWrongTypeIsAClientError() throws {
        let row = try XCTUnwrap(connection.query("SELECT 'abc'::text AS word").first)
        XCTAssertEqual(expectError(PostgresError.self) { _ = try row.decode(Int.self, "word") }?.kind, .client)
        XCTAssertEqual(expectError(PostgresError.self) { _ = try row.decode(Int.self, "no_such_column") }?.kind, .client)
    }

    // MARK: NUMERIC

    private func decimal(_ text: String) throws -> Decimal {
        try XCTUnwrap(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
    }

    func testNumericAdditionIsExact() throws {
        let row = try XCTUnwrap(connection.query(
            "SELECT $1::numeric + $2::numeric AS sum", [try decimal("0.1"), try decimal("0.2")]).first)
        XCTAssertEqual(row["sum"], "0.3")
        XCTAssertEqual(try row.decode(Decimal.self, "sum"), try decimal("0.3"))
    }

    func testLargeNumericValuesRoundTrip() throws {
        for text in ["12345678901234.5678", "123456789012345678901234567890", "-98765432109876543210.123456789",
                     "0.000000000000000000000000000001"] {
            let value = try decimal(text)
            let row = try XCTUnwrap(connection.query("SELECT $1::numeric AS v, $1::numeric = $2::numeric AS same",
                                                     [value, text]).first)
            XCTAssertEqual(row["v"], text)
            XCTAssertEqual(try row.decode(Bool.self, "same"), true, text)
            XCTAssertEqual(try row.decode(Decimal.self, "v"), value)
        }
    }

    func testNumericScaleFromTheServerIsKeptInTheText() throws {
        let row = try XCTUnwrap(connection.query("SELECT 10.50::numeric(12,2) * 3 AS total").first)
        XCTAssertEqual(row["total"], "31.50")
        XCTAssertEqual(try row.decode(Decimal.self, "total"), try decimal("31.5"))
    }

    func testNumericNaNIsNotADecimal() throws {
        let row = try XCTUnwrap(connection.query("SELECT 'NaN'::numeric AS v").first)
        XCTAssertEqual(expectError(PostgresError.self) { _ = try row.decode(Decimal.self, "v") }?.kind, .client)
    }

    // MARK: Dates and times

    func testDatesDecodeAndRoundTrip() throws {
        let row = try XCTUnwrap(connection.query(
            "SELECT DATE '2028-02-28' + 1 AS leap, $1::date + 1 AS next", [PostgresDate(year: 2026, month: 12, day: 31)]).first)
        XCTAssertEqual(try row.decode(PostgresDate.self, "leap"), PostgresDate(year: 2028, month: 2, day: 29))
        XCTAssertEqual(try row.decode(PostgresDate.self, "next"), PostgresDate(year: 2027, month: 1, day: 1))
        XCTAssertEqual(row["next"], "2027-01-01")
        XCTAssertNil(PostgresDate(year: 2026, month: 2, day: 29))
        XCTAssertNil(PostgresDate(postgresText: "2026-1-01"))
    }

    func testTimestamptzDecodesInAnySessionTimeZone() throws {
        let expected = Date(timeIntervalSince1970: 1_795_772_400.123) // 2026-11-27 09:40:00.123 UTC
        for zone in ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"] {
            try connection.query("SELECT set_config('TimeZone', $1, false)", [zone])
            let row = try XCTUnwrap(connection.query(
                "SELECT TIMESTAMPTZ '2026-11-27 09:40:00.123+00' AS t, $1::timestamptz AS sent", [expected]).first)
            let decoded = try row.decode(Date.self, "t")
            XCTAssertEqual(decoded.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 0.0005, "\(zone): \(row["t"] ?? "NULL")")
            XCTAssertEqual(try row.decode(Date.self, "sent").timeIntervalSince1970, expected.timeIntervalSince1970,
                           accuracy: 0.0005, zone)
        }
    }

    func testTimestamptzWithoutFractionAndWithMicroseconds() throws {
        try connection.query("SET TimeZone = 'UTC'")
        let row = try XCTUnwrap(connection.query(
            "SELECT TIMESTAMPTZ '2026-01-02 03:04:05+00' AS whole, TIMESTAMPTZ '2026-01-02 03:04:05.123456+00' AS micro, now() AS now").first)
        XCTAssertEqual(row["whole"], "2026-01-02 03:04:05+00")
        XCTAssertEqual(try row.decode(Date.self, "whole").timeIntervalSince1970, 1_767_323_045)
        XCTAssertEqual(try row.decode(Date.self, "micro").timeIntervalSince1970, 1_767_323_045.123, accuracy: 0.001)
        XCTAssertEqual(try row.decode(Date.self, "now").timeIntervalSinceNow, 0, accuracy: 60)
    }
}
