import Foundation
import ProcurementStore

/// What every HTML page procure writes shares: escaping and writing the file.
enum HTMLText {
    /// Text and attribute values: the five XML entities, and characters XML 1.0 does not allow
    /// replaced by U+FFFD. Scalar by scalar, so that a combining mark after `<` or `"` cannot
    /// hide it inside a larger character.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value):
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Writes a page, whole or not at all; `what` names the command in the error.
    static func write(_ page: String, to path: String, for what: String) throws {
        do {
            try Data(page.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ProcureError(.invalidArgument, "\(what): cannot write \(path): \(error.localizedDescription)")
        }
    }
}
