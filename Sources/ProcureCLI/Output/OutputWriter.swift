import Foundation
import Postgres
import ProcurementStore

/// The answer to one input line.
enum LineOutcome {
    case success(JSONValue)
    case failure(ProcureError)
    case help(String)

    var succeeded: Bool {
        if case .failure = self { return false }
        return true
    }
}

/// Prints each line's outcome as it happens (streaming: nothing is kept).
final class OutputWriter {
    let format: OutputFormat
    /// Whether a table already went to stdout: the next one is set apart by a blank line, so the
    /// results of a batch read as separate blocks.
    private var printedTable = false

    init(format: OutputFormat) {
        self.format = format
    }

    func write(_ outcome: LineOutcome, line: Int, format lineFormat: OutputFormat? = nil) {
        let format = lineFormat ?? self.format
        if format == .table, case .success = outcome {
            if printedTable { emit("") }
            printedTable = true
        }
        switch (format, outcome) {
        case (.json, .success(let result)):
            emit(envelope(line: line, ok: true, ("result", result.withDecimalsAsStrings)))
        case (.json, .help(let text)):
            emit(envelope(line: line, ok: true, ("result", .object([("help", .string(text))]))))
        case (.json, .failure(let error)):
            emit(envelope(line: line, ok: false, ("error", .object([
                ("code", .string(error.code.rawValue)), ("message", .string(error.message)),
            ]))))
        case (.table, .success(let result)):
            emit(TableRenderer.render(result))
        case (.csv, .success(let result)):
            emitRaw(CSVRenderer.render(result))
        case (_, .help(let text)):
            emit(text)
        case (_, .failure(let error)):
            Console.error("line \(line): \(error.code.rawValue): \(error.message)")
        }
    }

    private func envelope(line: Int, ok: Bool, _ payload: (String, JSONValue)) -> String {
        JSONValue.object([("line", .number(String(line))), ("ok", .bool(ok)), payload]).serialized
    }

    private func emit(_ text: String) {
        Console.out(text + "\n")
    }

    private func emitRaw(_ text: String) {
        Console.out(text)
    }
}

/// stdout and stderr without Swift's `print` locking surprises; stdout is flushed per line so
/// a reader of a long batch sees answers as they come.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
