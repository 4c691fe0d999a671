import Foundation
import ArgumentParser
import Postgres

extension ProcureCommandLine {
    /// Parses one line's words: the same result as `parseAsRoot(words)`, cheaper.
    ///
    /// `parseAsRoot` builds and walks the whole verb tree (root, groups, help, completion
    /// checks) for every line, most of a batch's client CPU for a short verb. Here the first
    /// word (and, for a group, the second) picks the verb's own type, and swift-argument-parser
    /// parses the remaining words with that type alone. Only a verb that parses cleanly takes
    /// this path; anything else — help (`--help`, `help …`, a group alone), an unknown verb,
    /// any parse or validation error — is parsed again by `parseAsRoot`, so help texts and
    /// error messages are those of the whole tree.
    ///
    /// Every verb's configuration names `procure` as its super-command (`_superCommandName`,
    /// swift-argument-parser's mark of a pseudo-command): parsed on its own here, a verb then
    /// skips the check for a request of a shell completion script, which no line can make and
    /// which was a third of a read line's client CPU (docs/benchmarks.md). The whole tree's
    /// parse and help never see it: they start from `ProcureCommandLine`, which has none.
    static func parseLine(_ words: [String]) throws -> ParsableCommand {
        if let verb = verbType(words) {
            let rest = Array(words.dropFirst(verb.consumed))
            if let read = verb.type as? any HandRead.Type, let parsed = read.quickly(rest) {
                return parsed
            }
            if let parsed = try? verb.type.parseAsRoot(rest), parsed is any ProcureCommand {
                return parsed
            }
        }
        return try parseAsRoot(words)
    }

    /// The leaf command type the first one or two words name, and how many words that took.
    /// Looked up in the command tree on first use of those words and remembered: building a
    /// table of every verb up front touched every command type, a tenth of a one-shot's CPU.
    /// Groups qualify only when the full parse would pass nothing of theirs to the verb: no
    /// default subcommand, and no options or arguments of their own, which no group has
    /// (`VerbDispatchTests` checks; asking by reflection here cost a one-shot 2 % of its CPU).
    static func verbType(_ words: [String]) -> (type: ParsableCommand.Type, consumed: Int)? {
        guard let first = words.first else { return nil }
        let key = Array(words.prefix(2))
        verbCache.lock.lock()
        defer { verbCache.lock.unlock() }
        if let known = verbCache.found[key] ?? verbCache.found[[first]] { return known }
        guard let found = lookUpVerb(first, words.count >= 2 ? words[1] : nil) else { return nil }
        // only verbs are remembered, by their own words: as many as there are verbs
        verbCache.found[Array(words.prefix(found.consumed))] = found
        return found
    }

    /// The first of two same names wins, as in the tree.
    private static func lookUpVerb(_ first: String, _ second: String?) -> (type: ParsableCommand.Type, consumed: Int)? {
        guard let top = configuration.subcommands.first(where: { names(of: $0).contains(first) }) else { return nil }
        let leaves = top.configuration.subcommands
        if leaves.isEmpty { return (top, 1) }
        guard let second, top.configuration.defaultSubcommand == nil,
              let leaf = leaves.first(where: { $0.configuration.subcommands.isEmpty && names(of: $0).contains(second) })
        else { return nil }
        return (leaf, 2)
    }

    private static let verbCache = VerbCache()

    private static func names(of type: ParsableCommand.Type) -> [String] {
        [type._commandName] + type.configuration.aliases
    }
}

extension ProcureCommandLine {
    /// The message of a line that did not parse, in the user's terms: an unknown verb is said to
    /// be one, with the nearest verb; a negative number (which swift-argument-parser takes for a
    /// flag) is said to be negative rather than missing; anything else is swift-argument-parser's
    /// own message.
    static func usageMessage(for error: Error, words: [String]) -> String {
        if let unknown = unknownVerb(words) { return unknown }
        let message = message(for: error)
        if let negative = words.first(where: isNegativeNumber),
           message.hasPrefix("Missing") || message.contains("Unknown option") || message.contains("Unexpected argument") {
            let what = quoted(in: message).map { $0.hasPrefix("<") ? String($0.dropFirst().dropLast()) : $0 }
            return "\(what.map { "\($0): " } ?? "")\(negative) is negative; it must be above zero"
        }
        return message
    }

    /// `-50`, `-0.5`: a number, never a flag.
    static func isNegativeNumber(_ word: String) -> Bool {
        word.hasPrefix("-") && word.count > 1 && DecimalGrammar.accepts(word)
    }

    /// "unknown command …" when the first word (or, in a group, the second) names no verb.
    static func unknownVerb(_ words: [String]) -> String? {
        guard let first = words.first, !first.hasPrefix("-") else { return nil }
        let top = configuration.subcommands
        guard let group = top.first(where: { names(of: $0).contains(first) }) else {
            let verbs = top.map { $0._commandName } + ["help"]
            guard !verbs.contains(first) else { return nil }
            return "unknown command '\(first)'" + suggestion(for: first, among: verbs)
        }
        let leaves = group.configuration.subcommands
        guard !leaves.isEmpty, words.count >= 2, !words[1].hasPrefix("-") else { return nil }
        let verbs = leaves.flatMap(names(of:)) + ["help"]
        guard !verbs.contains(words[1]) else { return nil }
        let shown = "\(first) \(words[1])"
        let near = suggestion(for: words[1], among: leaves.map { $0._commandName }, prefix: "\(first) ")
        return "unknown command '\(shown)'" + (near.isEmpty
            ? "; \(first) has: \(leaves.map { $0._commandName }.joined(separator: ", "))" : near)
    }

    /// "; did you mean 'po show'?" for the nearest verb within two edits, else nothing.
    static func suggestion(for word: String, among verbs: [String], prefix: String = "") -> String {
        let scored = verbs.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
        return "; did you mean '\(prefix)\(best.0)'?"
    }

    /// Levenshtein distance, with a swap of two neighbours counted as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }

    /// The first '…' of a message: `Missing expected argument '<amount>'` → `<amount>`.
    private static func quoted(in message: String) -> String? {
        guard let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        let inner = rest[..<close]
        // `--settlement <settlement>` → `--settlement`
        return inner.split(separator: " ").first.map(String.init)
    }
}

/// A verb whose plain line shape is read by hand, without swift-argument-parser: it builds a
/// verb's whole argument set by reflection at every parse, most of a short line's client CPU
/// (docs/benchmarks.md §1 and §3). `quickly` returns nil for anything but the plain shape, and
/// the words then go to swift-argument-parser; `VerbDispatchTests` checks that both give the
/// same command, value for value.
protocol HandRead: ProcureCommand {
    static func quickly(_ words: [String]) -> Self?
}

/// A verb that reads one order: `VERB ORDER [--format F] [--key K]` (`--as` is taken out before
/// any verb is parsed). The most frequent batch lines, so their plain shape is read by hand
/// (`HandRead`); so is `correct` (Input/CorrectRead.swift).
protocol OrderNumberRead: HandRead where Options == ReadOptions {
    var number: String { get set }
    var common: ReadOptions { get set }
}

extension OrderShow: OrderNumberRead {}
extension LiabilityShow: OrderNumberRead {}
extension HistoryCommand: OrderNumberRead {}

extension OrderNumberRead {
    /// The command of the verb's words, when they have the plain shape; else nil.
    static func quickly(_ words: [String]) -> Self? {
        guard let line = PlainLine(words, valued: ["--format", "--key"]), let number = line.onlyPositional,
              let options = ReadOptions.plain(line.values) else { return nil }
        var command = Self()
        command.number = number
        command.common = options
        return command
    }
}

/// What `verbType` has looked up, by a line's first two words (the reader thread of a batch and
/// the main thread of a shell may ask).
private final class VerbCache: @unchecked Sendable {
    let lock = NSLock()
    var found: [[String]: (type: ParsableCommand.Type, consumed: Int)] = [:]
}
