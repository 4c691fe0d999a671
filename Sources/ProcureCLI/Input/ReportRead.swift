import Postgres

/// `report NAME [--from D] [--to D] [--buyer B] [--supplier S] [--html FILE] [--format F]
/// [--key K]`, each option once: a report's one-shot, read without swift-argument-parser's first
/// use (docs/benchmarks.md §6). A shape that fails `validate` is left to the parser, whose
/// message is then the user's.
extension ReportCommand: HandRead {
    static func quickly(_ words: [String]) -> ReportCommand? {
        guard let line = PlainLine(words, valued: ["--from", "--to", "--buyer", "--supplier", "--html", "--format", "--key"]),
              let word = line.onlyPositional, let name = ReportName(rawValue: word),
              let options = ReadOptions.plain(line.values) else { return nil }
        var command = ReportCommand()
        command.name = name
        command.from = nil
        command.to = nil
        for (option, date) in [("--from", \ReportCommand.from), ("--to", \ReportCommand.to)] {
            guard let text = line.values[option] else { continue }
            guard let given = PostgresDate(argument: text) else { return nil }
            command[keyPath: date] = given
        }
        command.buyer = line.values["--buyer"]
        command.supplier = line.values["--supplier"]
        command.html = line.values["--html"]
        command.common = options
        guard (try? command.validate()) != nil else { return nil }
        return command
    }
}
