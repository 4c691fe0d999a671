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
           parsed is ProcureCommand {
            return parsed
        }
        return try parseAsRoot(words)
    }

    /// The leaf command type the first one or two words name, and how many words that took.
    /// Groups qualify only when the full parse would pass nothing of theirs to the verb: no
    /// options or arguments of their own and no default subcommand.
    static func verbType(_ words: [String]) -> (type: ParsableCommand.Type, consumed: Int)? {
        guard let first = words.first, let top = child(named: first, of: configuration.subcommands) else { return nil }
        let subcommands = top.configuration.subcommands
        if subcommands.isEmpty { return (top, 1) }
        guard words.count >= 2, top.configuration.defaultSubcommand == nil, hasNoProperties(top),
              let leaf = child(named: words[1], of: subcommands), leaf.configuration.subcommands.isEmpty
        else { return nil }
        return (leaf, 2)
    }

    private static func child(named name: String, of types: [ParsableCommand.Type]) -> ParsableCommand.Type? {
        types.first { $0._commandName == name || $0.configuration.aliases.contains(name) }
    }

    /// A group with stored properties may hold options the full parse would decode and hand
    /// down; such a group is left to `parseAsRoot`.
    private static func hasNoProperties(_ group: ParsableCommand.Type) -> Bool {
        Mirror(reflecting: group.init()).children.isEmpty
    }
}
