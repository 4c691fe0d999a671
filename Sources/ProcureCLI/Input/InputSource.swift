import Foundation

/// Reads lines one at a time (stdin or a file), so a batch of any length streams in
/// constant memory.
final class InputSource {
    private let file: UnsafeMutablePointer<FILE>
    private let ownsFile: Bool

    init(standardInput: Void = ()) {
        // fdopen rather than the global `stdin`, which Swift 6 treats as shared mutable state.
        file = fdopen(STDIN_FILENO, "r")
        ownsFile = false
    }

    init(path: String) throws {
        guard let opened = fopen(path, "r") else {
            throw CLIError.usage("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        file = opened
        ownsFile = true
    }

    deinit {
        if ownsFile { fclose(file) }
    }

    /// The next line without its newline; invalid UTF-8 is repaired with U+FFFD rather than
    /// dropping the line, so every input line gets an answer.
    func nextLine() -> String? {
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else { return nil }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        var line = String(decoding: bytes, as: UTF8.self)
        if line.hasSuffix("\n") { line.removeLast() }
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }

    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}
