/// Parses JSON text (as PostgreSQL's `jsonb` prints it) into an order-keeping `JSONValue`.
public struct JSONParser {
    public struct Failure: Error, CustomStringConvertible {
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var position = 0

    public static func parse(_ text: String) throws -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw Failure(offset: parser.position) }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func value() throws -> JSONValue {
        skipSpace()
        guard position < bytes.count else { throw Failure(offset: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func object() throws -> JSONValue {
        position += 1
        var pairs: [(String, JSONValue)] = []
        skipSpace()
        if peek == UInt8(ascii: "}") { position += 1; return .object(pairs) }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw Failure(offset: position) }
            let key = try string()
            skipSpace()
            try expect(":")
            pairs.append((key, try value()))
            skipSpace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            try expect("}")
            return .object(pairs)
        }
    }

    private mutating func array() throws -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipSpace()
        if peek == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            items.append(try value())
            skipSpace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            try expect("]")
            return .array(items)
        }
    }

    private mutating func string() throws -> String {
        position += 1
        // Most strings hold no escape: decode them in one piece (the same text the loop below
        // would build, without a scalar at a time).
        var end = position
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[position..<end], as: UTF8.self)
                position = end + 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            end += 1
        }
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { flush(); return String(scalars) }
            guard byte == UInt8(ascii: "\\") else { raw.append(byte); continue }
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "n"): raw.append(10)
            case UInt8(ascii: "t"): raw.append(9)
            case UInt8(ascii: "r"): raw.append(13)
            case UInt8(ascii: "b"): raw.append(8)
            case UInt8(ascii: "f"): raw.append(12)
            case UInt8(ascii: "u"):
                flush()
                scalars.append(try unicodeEscape())
            default: raw.append(escape)
            }
        }
        throw Failure(offset: position)
    }

    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high), bytes.count >= position + 6,
           bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
            let saved = position
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else {
                position = saved   // a lone high surrogate: replace it, keep the next escape
                return "\u{FFFD}"
            }
            let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            return Unicode.Scalar(combined) ?? "\u{FFFD}"
        }
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
        else { throw Failure(offset: position) }
        position += 4
        return value
    }

    private mutating func number() throws -> String {
        let start = position
        while position < bytes.count, "+-0123456789.eE".utf8.contains(bytes[position]) { position += 1 }
        guard position > start else { throw Failure(offset: position) }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func literal(_ word: String) throws {
        let expected = Array(word.utf8)
        guard bytes.count >= position + expected.count,
              Array(bytes[position..<position + expected.count]) == expected
        else { throw Failure(offset: position) }
        position += expected.count
    }

    private mutating func expect(_ character: Character) throws {
        guard peek == character.asciiValue else { throw Failure(offset: position) }
        position += 1
    }

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 9, 10, 13, 32: position += 1
            default: return
            }
        }
    }
}
