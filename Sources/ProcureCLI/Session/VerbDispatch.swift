import ArgumentParser

extension ProcureCommandLine {
    /// Parses one line's words: the same result as `parseAsRoot(words)`, cheaper.
    ///
    /// `parseAsRoot` builds and walks the whole verb tree (root, groups, help, completion
    /// checks) for every line; in a batch of `po show` lines that was 58 % of the client's CPU
    /// (docs/benchmarks.md, fix 8). Here the first word (and, for a group, the second) picks
    /// the verb's own type, and swift-argument-parser parses the remaining words with that
    /// type alone. Only a verb that parses cleanly takes this path; anything else — help
    /// (`--help`, `help …`, a group alone), an unknown verb, any parse or validation error —
    /// is parsed again by `parseAsRoot`, so help texts and error messages stay exactly what
    /// they were.
    static func parseLine(_ words: [String]) throws -> ParsableCommand {
        if let verb = verbType(words), let parsed = try? verb.type.parseAsRoot(Array(words.dropFirst(verb.consumed))),
           parsed is any ProcureCommand {
            return parsed
        }
        return try parseAsRoot(words)
    }

    /// The leaf command type the first one or two words name, and how many words that took.
    static func verbType(_ words: [String]) -> (type: ParsableCommand.Type, consumed: Int)? {
        if let first = words.first, let type = verbs[[first]] { return (type, 1) }
        if words.count >= 2, let type = verbs[Array(words.prefix(2))] { return (type, 2) }
        return nil
    }

    /// Every verb a line can start with, by its words (`["correct"]`, `["po", "show"]`, aliases
    /// too), built once from the command tree rather than searched for on every line. Groups
    /// qualify only when the full parse would pass nothing of theirs to the verb: no options or
    /// arguments of their own and no default subcommand.
    private static let verbs: [[String]: ParsableCommand.Type] = {
        var table: [[String]: ParsableCommand.Type] = [:]
        func add(_ words: [String], _ type: ParsableCommand.Type) {
            if table[words] == nil { table[words] = type }   // the first of two same names wins, as in the tree
        }
        for top in configuration.subcommands {
            let subcommands = top.configuration.subcommands
            if subcommands.isEmpty {
                names(of: top).forEach { add([$0], top) }
                continue
            }
            guard top.configuration.defaultSubcommand == nil, hasNoProperties(top) else { continue }
            for leaf in subcommands where leaf.configuration.subcommands.isEmpty {
                for group in names(of: top) {
                    names(of: leaf).forEach { add([group, $0], leaf) }
                }
            }
        }
        return table
    }()

    private static func names(of type: ParsableCommand.Type) -> [String] {
        [type._commandName] + type.configuration.aliases
    }

    /// A group with stored properties may hold options the full parse would decode and hand
    /// down; such a group is left to `parseAsRoot`.
    private static func hasNoProperties(_ group: ParsableCommand.Type) -> Bool {
        Mirror(reflecting: group.init()).children.isEmpty
    }
}
