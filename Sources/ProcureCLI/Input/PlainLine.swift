/// A verb's words in the plain shape the hand-read verbs accept (`HandRead`): positional words,
/// `--name value` options of `valued` (`PlainOption`), flags of `flags`, and options of `runs`
/// that take the words up to the next option (one at least) — each option once. Anything else
/// is nil, and the caller leaves the words to swift-argument-parser.
struct PlainLine {
    private(set) var positionals: [String] = []
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var runs: [String: [String]] = [:]

    init?(_ words: [String], valued: Set<String>, flags flagNames: Set<String> = [], runs runNames: Set<String> = []) {
        var index = 0
        while index < words.count {
            let word = words[index]
            if !word.hasPrefix("-") {
                positionals.append(word)
                index += 1
            } else if flagNames.contains(word) {
                guard flags.insert(word).inserted else { return nil }
                index += 1
            } else if runNames.contains(word) {
                let run = words[(index + 1)...].prefix { !$0.hasPrefix("-") }
                guard runs[word] == nil, !run.isEmpty else { return nil }
                runs[word] = Array(run)
                index += 1 + run.count
            } else {
                guard let option = PlainOption.read(words, at: index, names: valued), values[option.name] == nil
                else { return nil }
                values[option.name] = option.value
                index = option.next
            }
        }
    }

    /// The one positional word, when there is exactly one.
    var onlyPositional: String? { positionals.count == 1 ? positionals[0] : nil }
}
