import ArgumentParser

extension RunOptions {
    /// The process arguments parsed: the same result as `RunOptions.parse(arguments)`, cheaper.
    ///
    /// swift-argument-parser builds the options' argument set by reflection on every parse, and
    /// in a one-shot process that first use (its type lookups and protocol-conformance scans) was
    /// a sixth of the client's CPU (docs/benchmarks.md §4). The flags before the verb are few and
    /// plain, so the common shapes are read here; anything else — help, `--`, an unknown or
    /// repeated option, a value that looks like an option, a format that is not one — is left to
    /// `parse`, whose messages are then the user's. `VerbDispatchTests` checks both agree.
    static func parseQuickly(_ arguments: [String]) throws -> RunOptions {
        if let options = quickly(arguments) { return options }
        return try parse(arguments)
    }

    /// The arguments' options when every word before the verb is one of them, else nil.
    static func quickly(_ arguments: [String]) -> RunOptions? {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var index = arguments.startIndex
        while index < arguments.endIndex, arguments[index].hasPrefix("-") {
            if flagNames.contains(arguments[index]) {
                guard flags.insert(arguments[index]).inserted else { return nil }
                index += 1
                continue
            }
            guard let option = PlainOption.read(arguments, at: index, names: valueNames), values[option.name] == nil
            else { return nil }
            values[option.name] = option.value
            index = option.next
        }
        var format = OutputFormat.table
        if let text = values["--format"] {
            guard let given = OutputFormat(rawValue: text) else { return nil }
            format = given
        }
        var options = RunOptions()
        options.db = values["--db"]
        options.format = format
        options.actor = values["--as"]
        options.stopOnError = flags.contains("--stop-on-error")
        options.atomic = flags.contains("--atomic")
        options.version = flags.contains("--version")
        options.words = Array(arguments[index...])
        return options
    }

    private static let flagNames: Set<String> = ["--stop-on-error", "--atomic", "--version"]
    private static let valueNames: Set<String> = ["--db", "--format", "--as"]
}
