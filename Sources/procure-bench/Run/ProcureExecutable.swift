import Foundation

/// The `procure` binary the bench measures, always as separate processes, as a user runs it.
enum ProcureExecutable {
    /// `explicit` (--procure), else `$PROCURE_BINARY`, else `procure` beside this executable.
    static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let candidate: String
        if let explicit, !explicit.isEmpty {
            candidate = explicit
        } else if let fromEnvironment = environment["PROCURE_BINARY"], !fromEnvironment.isEmpty {
            candidate = fromEnvironment
        } else {
            candidate = URL(fileURLWithPath: selfExecutable()).deletingLastPathComponent().appendingPathComponent("procure").path
        }
        // posix_spawn needs a path, not a name to look up.
        let absolute = URL(fileURLWithPath: candidate).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: absolute) else {
            throw BenchError("no procure executable at \(absolute): build it (`swift build -c release`) or pass --procure PATH")
        }
        return absolute
    }

    static func selfExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }
}
