#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 (FIPS 180-4), for migration checksums. Foundation on Linux has no CryptoKit and
/// a checksum must not cost a server round trip on every command.
///
/// Every start hashes all of `sql/` (~230 KB) to refuse an edited applied migration. The
/// Swift code below does that in ~1.3 ms; OpenSSL's SHA-256 (SHA-NI / AVX2) in ~0.14 ms.
/// libpq already loads libcrypto, so its functions are looked up with `dlsym` rather than
/// linked: no header or `-lcrypto` is needed to build, and a libpq built without OpenSSL (or
/// an OpenSSL without them) simply uses the Swift code. These are the low-level
/// `SHA256_Init/Update/Final`: OpenSSL 3's one-shot `SHA256()` goes through EVP and
/// initialises the whole provider machinery on first use (~1.3 ms, no gain). Both give the
/// same digest (SHA256Tests checks them against each other, MigratorTests against
/// PostgreSQL's `sha256()`), so switching never changes a recorded checksum. A cache of
/// checksums by file size and mtime would save the reading too, but would need a place to live
/// for every `--db` target and could miss a same-size edit within the mtime's resolution;
/// hashing is cheap enough to simply do it every time.
enum SHA256 {
    private typealias Initialise = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    private typealias Update = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int32
    private typealias Finish = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutableRawPointer?) -> Int32

    private struct System {
        let initialise: Initialise
        let update: Update
        let finish: Finish

        /// The digest, or nil if a call failed. The context (`SHA256_CTX`, 112 bytes) gets
        /// generous room.
        func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
            let context = UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 16)
            defer { context.deallocate() }
            var out = [UInt8](repeating: 0, count: 32)
            guard initialise(context) == 1, update(context, bytes.baseAddress, bytes.count) == 1,
                  out.withUnsafeMutableBufferPointer({ finish($0.baseAddress, context) }) == 1
            else { return nil }
            return out
        }
    }

    /// libcrypto's SHA-256, if a loaded library provides it and it passes a known answer.
    private static let system: System? = {
        guard let process = dlopen(nil, RTLD_NOW),
              let initialise = dlsym(process, "SHA256_Init"),
              let update = dlsym(process, "SHA256_Update"),
              let finish = dlsym(process, "SHA256_Final")
        else { return nil }
        let system = System(
            initialise: unsafeBitCast(initialise, to: Initialise.self),
            update: unsafeBitCast(update, to: Update.self),
            finish: unsafeBitCast(finish, to: Finish.self))
        // Known answer (FIPS 180-2, "abc"): use it only if it is the SHA-256 we expect.
        let abc = Array("abc".utf8).withUnsafeBytes { system.digest($0) }
        return abc.map(hexText) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" ? system : nil
    }()

    /// True when the digest comes from libcrypto.
    static var usesSystemLibrary: Bool { system != nil }

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hex(_ text: String) -> String {
        var text = text
        let bytes = text.withUTF8 { utf8 -> [UInt8] in
            if let system, let out = system.digest(UnsafeRawBufferPointer(utf8)) { return out }
            return digest(Array(utf8))
        }
        return hexText(bytes)
    }

    /// The Swift implementation, whatever is loaded (for the tests).
    static func swiftHex(_ text: String) -> String {
        hexText(digest(Array(text.utf8)))
    }

    private static func hexText(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let choice = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ majority
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) } }
    }

    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x >> n) | (x << (32 - n))
    }
}
