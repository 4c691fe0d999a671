/// Splits one input line into words the way a POSIX shell would, without expansion:
/// `"…"` (backslash escapes `"` `\` `$` `` ` `` inside), `'…'` (literal), a backslash outside
/// quotes escapes the next character, `#` at the start of a word begins a comment.
public enum LineTokenizer {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(Character)
        case danglingBackslash

        public var description: String {
            switch self {
            case .unterminatedQuote(let quote): return "unterminated \(quote) quote"
            case .danglingBackslash: return "line ends with a lone backslash"
            }
        }
    }

    public static func words(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\r", "\n", "\r\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord:
                return words
            case "\\":
                guard let next = iterator.next() else { throw Failure.danglingBackslash }
                current.append(next); inWord = true
            case "'":
                inWord = true
                try readSingleQuoted(&iterator, into: &current)
            case "\"":
                inWord = true
                try readDoubleQuoted(&iterator, into: &current)
            default:
                current.append(character); inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    private static func readSingleQuoted(_ iterator: inout IndexingIterator<[Character]>, into word: inout String) throws {
        while let character = iterator.next() {
            if character == "'" { return }
            word.append(character)
        }
        throw Failure.unterminatedQuote("'")
    }

    private static func readDoubleQuoted(_ iterator: inout IndexingIterator<[Character]>, into word: inout String) throws {
        while let character = iterator.next() {
            switch character {
            case "\"":
                return
            case "\\":
                guard let next = iterator.next() else { throw Failure.unterminatedQuote("\"") }
                if "\"\\$`".contains(next) { word.append(next) } else { word.append("\\"); word.append(next) }
            default:
                word.append(character)
            }
        }
        throw Failure.unterminatedQuote("\"")
    }
}
