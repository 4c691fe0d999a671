import Foundation

/// Where a batch's or the shell's lines come from.
protocol LineSource {
    /// The next line without its line end; nil at the end of the input.
    func nextLine() -> String?
}

/// Reads lines one at a time (stdin or a file), so a batch of any length streams in
/// constant memory.
final class InputSource: LineSource {
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
        // Strip LF and CR as bytes: in Swift "\r\n" is one Character, so String suffix checks
        // would miss a Windows line end.
        var count = length
        while count > 0, buffer[count - 1] == 0x0A || buffer[count - 1] == 0x0D { count -= 1 }
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: count), as: UTF8.self)
    }

    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}

/// Plain lines with a prompt before each: the shell on a terminal libedit cannot drive.
struct PromptedInput: LineSource {
    let input: InputSource

    init(_ input: InputSource) { self.input = input }

    func nextLine() -> String? {
        Console.out("procure> ")
        return input.nextLine()
    }
}
