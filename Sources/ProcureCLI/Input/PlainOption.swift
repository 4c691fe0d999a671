/// One `--name value` or `--name=value` among a line's words, in the plain form the hand-read
/// shapes accept (`RunOptionsParse.swift`, `PlainLine`): a name of `names`, a value that
/// is not empty and, when it is the next word, does not look like an option. Anything else is
/// nil, and the caller leaves the words to swift-argument-parser.
enum PlainOption {
    static func read(_ words: [String], at index: Int, names: Set<String>) -> (name: String, value: String, next: Int)? {
        let word = words[index]
        if let equals = word.firstIndex(of: "=") {
            let name = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            guard names.contains(name), !value.isEmpty else { return nil }
            return (name, value, index + 1)
        }
        guard names.contains(word), index + 1 < words.count, !words[index + 1].hasPrefix("-"), !words[index + 1].isEmpty
        else { return nil }
        return (word, words[index + 1], index + 2)
    }
}

extension LineOptions {
    /// The options of a hand-read line: its `--format` and `--key` values (`--as` is taken out
    /// before any verb is parsed), every field set as a parse sets it; nil for an unknown format.
    static func plain(_ values: [String: String]) -> Self? {
        var options = Self()
        options.actor = nil
        options.format = nil
        if let format = values["--format"] {
            guard let given = OutputFormat(rawValue: format) else { return nil }
            options.format = given
        }
        options.key = values["--key"]
        return options
    }
}
