import ArgumentParser

/// The verbs a line may hold. Parsed the same way for one-shot commands, batch lines and
/// the interactive shell.
struct ProcureCommandLine: ParsableCommand {
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "procure",
        abstract: "Purchase order corrections: revocations, replacement orders and the liability they leave.",
        discussion: """
            procure [RUN FLAGS] VERB ARGS…   run one command
            procure [RUN FLAGS] run FILE     run a batch file (one command per line)
            procure [RUN FLAGS]              run a batch from stdin; on a terminal, an interactive shell

            Run flags (before the verb):
              --db <url>                 database URL or libpq connection string (else DATABASE_URL, PG* variables, the embedded cluster)
              --format <table|json|csv>  output format (default table)
              --stop-on-error            stop a batch at its first failed line
              --atomic                   run the whole batch in one transaction: all lines or nothing
              --as <user>                act as this procure user (also anywhere on a line)
              --version                  print the version

            Examples:
              procure supplier add S1 --name "Acme Metals" --profit-rate 10
              procure --format json po show PO-1
              procure run examples/worked-example.txt

            `procure VERB --help` shows a verb's options and examples.
            """,
        version: version,
        subcommands: [
            SupplierGroup.self, ItemGroup.self, PriceGroup.self, UserGroup.self,
            OrderGroup.self, ProductionCommand.self, CorrectCommand.self, ClaimGroup.self, LiabilityGroup.self, CaseGroup.self,
            NoticeCommand.self, NoteCommand.self, HistoryCommand.self, AuditGroup.self, ImportGroup.self, DatabaseGroup.self,
            ReportCommand.self, SettingGroup.self, RunFileCommand.self,
        ]
    )

    /// The interactive shell's `help`: every verb a line may start with and what it does.
    static func verbList() -> String {
        var rows: [(String, String)] = []
        func walk(_ type: ParsableCommand.Type, _ prefix: String) {
            let name = prefix.isEmpty ? type._commandName : prefix + " " + type._commandName
            let subcommands = type.configuration.subcommands
            if subcommands.isEmpty {
                rows.append((name, type.configuration.abstract))
            } else {
                subcommands.forEach { walk($0, name) }
            }
        }
        configuration.subcommands.filter { $0 != RunFileCommand.self }.forEach { walk($0, "") }
        rows += [("help [VERB]", "this list, or one verb's options and examples"), ("quit", "leave the shell (also exit, Ctrl-D)")]
        let width = rows.map(\.0.count).max() ?? 0
        let list = rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        return (["Verbs:"] + list + [
            "",
            "Tab completes verbs and flags, the arrow keys recall earlier lines, Ctrl-C cancels the line being typed.",
        ]).joined(separator: "\n")
    }
}
