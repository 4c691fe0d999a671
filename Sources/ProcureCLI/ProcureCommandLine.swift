import ArgumentParser

/// The verbs a line may hold. Parsed the same way for one-shot commands, batch lines and
/// the interactive shell.
struct ProcureCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procure",
        abstract: "Purchase order corrections: revocations, replacement orders and the liability they leave.",
        discussion: """
            procure VERB ARGS…      run one command
            procure run FILE        run a batch file (one command per line)
            procure < FILE          run a batch from stdin; on a terminal, an interactive shell
            Flags before the verb: --db URL, --format table|json|csv, --stop-on-error, --atomic, --as NAME.
            """,
        subcommands: [
            SupplierGroup.self, ItemGroup.self, PriceGroup.self, UserGroup.self,
            OrderGroup.self, ProductionCommand.self, CorrectCommand.self, ClaimGroup.self, LiabilityGroup.self, CaseGroup.self,
            NoticeCommand.self, NoteCommand.self, HistoryCommand.self, AuditGroup.self, ImportGroup.self, DatabaseGroup.self,
            ReportCommand.self, SettingGroup.self,
        ]
    )
}
