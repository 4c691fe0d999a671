@testable import ProcurementStore
import XCTest

/// Migration checksums: libcrypto's SHA-256 (when loaded) and the Swift fallback must agree,
/// or switching between them would refuse every applied migration.
final class SHA256Tests: XCTestCase {
    func testKnownAnswers() {
        let cases = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(SHA256.hex(text), expected, text)
            XCTAssertEqual(SHA256.swiftHex(text), expected, text)
        }
    }

    func testSystemAndSwiftAgreeOnEveryLength() {
        // Lengths around the 64-byte block and its 56-byte padding boundary, and non-ASCII text.
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 100_000] {
            let text = String(repeating: "aé€𝄞", count: length / 4 + 1).prefix(length)
            XCTAssertEqual(SHA256.hex(String(text)), SHA256.swiftHex(String(text)), "length \(length)")
        }
    }

    func testLibcryptoIsUsedWhenLibpqLoadsIt() throws {
        #if os(Linux)
        // Debian's libpq links OpenSSL; a build without it would still be correct, only slower.
        XCTAssertTrue(SHA256.usesSystemLibrary)
        #endif
    }
}
