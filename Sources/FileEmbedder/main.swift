import Foundation

// Build tool of the EmbedSQL and EmbedTemplates plugins:
// `FileEmbedder ROOT OUTPUT.swift VARIABLE EXTENSION FOLDER…` writes Swift source declaring
// VARIABLE, every file ending in EXTENSION in each ROOT/FOLDER as (FOLDER/name, text), byte for
// byte, so that the `procure` binary carries its SQL and its document templates and runs
// without the checkout.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("FileEmbedder: \(message)\n".utf8))
    exit(1)
}

/// `text` as a single-line raw string literal that Swift reads back as exactly the same Unicode
/// scalars, whatever the text holds. The delimiter has one `#` more than the longest run of `#`
/// in the text, so neither `"` nor `\` followed by the delimiter can occur inside it. Everything
/// but printable ASCII is written as a `\#u{…}` escape: line breaks stay as they are (a multi-line
/// literal would turn `\r\n` into `\n`), and the generated file is plain ASCII, so no character
/// the lexer treats specially (byte-order marks, bidirectional controls, combining marks after a
/// quote) can reach it.
func rawLiteral(_ text: String) -> String {
    var longestRun = 0
    var run = 0
    for byte in text.utf8 {
        run = byte == UInt8(ascii: "#") ? run + 1 : 0
        longestRun = max(longestRun, run)
    }
    let delimiter = String(repeating: "#", count: longestRun + 1)
    var literal = delimiter + "\""
    literal.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
        switch scalar {
        case " "..."~": literal.unicodeScalars.append(scalar)
        case "\n": literal += "\\" + delimiter + "n"
        case "\r": literal += "\\" + delimiter + "r"
        case "\t": literal += "\\" + delimiter + "t"
        default: literal += "\\" + delimiter + "u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
    return literal + "\"" + delimiter
}

let arguments = CommandLine.arguments
guard arguments.count >= 6 else { fail("usage: FileEmbedder ROOT OUTPUT.swift VARIABLE EXTENSION FOLDER…") }
let root = URL(fileURLWithPath: arguments[1], isDirectory: true)
let output = URL(fileURLWithPath: arguments[2])
let variable = arguments[3]
let fileExtension = arguments[4]
let embeddedFolders = Array(arguments[5...])

var entries: [String] = []
for folder in embeddedFolders {
    let directory = root.appendingPathComponent(folder, isDirectory: true)
    // A folder that does not exist is an empty set, as it is for the Migrator.
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { continue }
    for name in names.sorted() where name.hasSuffix(fileExtension) {
        let path = directory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
        guard let text = String(validating: Array(data), as: UTF8.self) else { fail("\(path) is not UTF-8") }
        entries.append("    (\(rawLiteral(folder + "/" + name)),\n     \(rawLiteral(text))),\n")
    }
}

let source = """
    // Generated at build time by FileEmbedder from \(embeddedFolders.joined(separator: ", ")); do not edit.

    let \(variable): [(path: String, text: String)] = [
    \(entries.joined())]

    """
// Rewritten only when it changes, so an unrelated rebuild does not recompile the module.
if FileManager.default.contents(atPath: output.path) != Data(source.utf8) {
    do {
        try Data(source.utf8).write(to: output, options: .atomic)
    } catch {
        fail("cannot write \(output.path): \(error)")
    }
}
