import Postgres
import TestSupport
import XCTest

/// JSONParser reads what PostgreSQL prints: key order and number text must survive untouched.
final class JSONTests: DatabaseTestCase {
    override class var databaseOptions: DatabaseOptions { .init(lifetime: .testClass, migrated: false, opensConnection: true) }

    private func parsed(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> JSONValue {
        try JSONParser.parse(XCTUnwrap(scalar(connection, sql, parameters)))
    }

    private func keys(_ value: JSONValue) -> [String] {
        guard case .object(let pairs) = value else { return [] }
        return pairs.map(\.0)
    }

    func testKeepsTheServersKeyOrder() throws {
        // json keeps the order it was built in; jsonb prints shorter keys first.
        XCTAssertEqual(keys(try parsed("SELECT json_build_object('zebra', 1, 'apple', 2, 'mango', 3)::text")),
                       ["zebra", "apple", "mango"])
        XCTAssertEqual(keys(try parsed("SELECT jsonb_build_object('zebra', 1, 'b', 2, 'apple', 3)::text")),
                       ["b", "apple", "zebra"])
    }

    func testKeepsNumbersExactly() throws {
        let value = try parsed("""
            SELECT jsonb_build_object(
                'amount', 12345678901234567890.123456789::numeric, 'price', 0.10::numeric,
                'count', 3, 'negative', -0.5::numeric, 'sum', 0.1::numeric + 0.2::numeric)::text
            """)
        XCTAssertEqual(value["amount"], .number("12345678901234567890.123456789"))
        XCTAssertEqual(value["price"], .number("0.10"))
        XCTAssertEqual(value["count"], .number("3"))
        XCTAssertEqual(value["negative"], .number("-0.5"))
        XCTAssertEqual(value["sum"]?.text, "0.3")
        XCTAssertEqual(value.serialized, #"{"sum":0.3,"count":3,"price":0.10,"amount":12345678901234567890.123456789,"negative":-0.5}"#)
        let strings = value.withDecimalsAsStrings
        XCTAssertEqual(strings["price"], .string("0.10"))
        XCTAssertEqual(strings["count"], .number("3"))
    }

    func testStringsWithEscapesAndUnicode() throws {
        let text = "Zürich \"東京\" 🚚\n\ttab \\ slash / \u{1}"
        let value = try parsed("SELECT jsonb_build_object('name', $1::text)::text", [text])
        XCTAssertEqual(value["name"], .string(text))
        XCTAssertEqual(try JSONParser.parse(value.serialized), value)
        // The server reads back what serialized wrote.
        XCTAssertEqual(try scalar(connection, "SELECT ($1::jsonb)->>'name'", [value.serialized]), text)
    }

    func testUnicodeEscapes() throws {
        let value = try parsed(#"SELECT '["\u00fc", "\ud83d\ude9a", "a\u0041"]'::json::text"#)
        XCTAssertEqual(value, .array([.string("ü"), .string("🚚"), .string("aA")]))
    }

    func testNestedValues() throws {
        let value = try parsed("""
            SELECT jsonb_build_object('lines', jsonb_build_array(jsonb_build_object('qty', 2), 'x', NULL, true, false),
                                      'empty', '{}'::jsonb, 'none', '[]'::jsonb)::text
            """)
        XCTAssertEqual(value["lines"], .array([.object([("qty", .number("2"))]), .string("x"), .null, .bool(true), .bool(false)]))
        XCTAssertEqual(value["empty"], .object([]))
        XCTAssertEqual(value["none"], .array([]))
        XCTAssertNil(value["missing"])
    }

    func testRejectsInvalidJSON() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "1 2", "\"open", "{\"a\":1,}", "[1 2]"] {
            XCTAssertThrowsError(try JSONParser.parse(text), text.debugDescription) { error in
                XCTAssertTrue(error is JSONParser.Failure, "\(text.debugDescription): \(error)")
            }
        }
    }
}
