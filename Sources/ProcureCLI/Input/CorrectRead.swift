import Postgres

/// `correct ORDER --reason R --note TEXT [--replace SKU:QTY[@PRICE]…] [--supplier S]
/// [--settlement AMT] [--number N] [--dry-run] [--format F] [--key K]`, each option once: the
/// line of a batch of corrections.
extension CorrectCommand: HandRead {
    static func quickly(_ words: [String]) -> CorrectCommand? {
        guard let line = PlainLine(words, valued: ["--reason", "--note", "--supplier", "--settlement", "--number", "--format", "--key"],
                                   flags: ["--dry-run"], runs: ["--replace"]),
              let number = line.onlyPositional, let reason = line.values["--reason"], let note = line.values["--note"],
              let options = CommonOptions.plain(line.values) else { return nil }
        var command = CorrectCommand()
        command.number = number
        command.reason = reason
        command.note = note
        command.replace = []
        for word in line.runs["--replace", default: []] {
            guard let spec = LineSpec(argument: word) else { return nil }
            command.replace.append(spec)
        }
        command.supplier = line.values["--supplier"]
        command.settlement = nil
        if let settlement = line.values["--settlement"] {
            guard let amount = DecimalText(settlement) else { return nil }
            command.settlement = amount
        }
        command.replacementNumber = line.values["--number"]
        command.dryRun = line.flags.contains("--dry-run")
        command.common = options
        return command
    }
}
