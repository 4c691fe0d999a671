import ArgumentParser
import EmbeddedPostgres
import Postgres
import ProcurementStore

struct DatabaseGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "The embedded PostgreSQL cluster and migrations.",
        subcommands: [DatabaseStart.self, DatabaseStop.self, DatabaseStatus.self, DatabaseMigrate.self])
}

private func embeddedCluster(_ context: CommandContext) throws -> EmbeddedCluster {
    guard let cluster = context.session.target.cluster else {
        throw ProcureError(.invalidArgument, "a database is configured (--db, DATABASE_URL or PG*); `db start|stop` only manage the embedded cluster")
    }
    return cluster
}

private func clusterCall<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ClusterError {
        throw ProcureError(.databaseUnavailable, error.description)
    }
}

struct DatabaseStart: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", _superCommandName: "procure", abstract: "Create (first time) and start the embedded cluster, then migrate.",
        discussion: "Example:\n  procure db start")
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let cluster = try embeddedCluster(context)
        try clusterCall { try cluster.start() }
        _ = try context.session.clientWithCurrentSchema()
        return try DatabaseStatus.describe(cluster)
    }
}

struct DatabaseStop: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", _superCommandName: "procure", abstract: "Stop the embedded cluster.",
        discussion: "Example:\n  procure db stop")
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let cluster = try embeddedCluster(context)
        try clusterCall { try cluster.stop() }
        return try DatabaseStatus.describe(cluster)
    }
}

struct DatabaseStatus: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", _superCommandName: "procure", abstract: "Say whether the embedded cluster runs and where its data lives.",
        discussion: "Example:\n  procure db status")
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        switch context.session.target {
        case .conninfo(let conninfo):
            return .object([("mode", .string("external")), ("conninfo", .string(conninfo.isEmpty ? "(libpq PG* variables)" : conninfo))])
        case .embedded(let cluster):
            return try DatabaseStatus.describe(cluster)
        }
    }

    static func describe(_ cluster: EmbeddedCluster) throws -> JSONValue {
        let status = try clusterCall { try cluster.status() }
        let state: String
        var pid: JSONValue = .null
        switch status {
        case .notInitialized: state = "not_initialized"
        case .stopped: state = "stopped"
        case .running(let number): state = "running"; pid = .number(String(number))
        }
        return .object([
            ("mode", .string("embedded")),
            ("status", .string(state)),
            ("pid", pid),
            ("home", .string(cluster.home.path)),
            ("data", .string(cluster.dataDirectory.path)),
            ("socket", .string(cluster.socketDirectory.path)),
            ("log", .string(cluster.logFile.path)),
            ("database", .string(cluster.databaseName)),
        ])
    }
}

struct DatabaseMigrate: ProcureCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", _superCommandName: "procure", abstract: "Apply pending migrations from sql/ (also done automatically).",
        discussion: "Examples:\n  procure db migrate\n  PROCURE_SQL_DIR=sql procure db migrate")
    @OptionGroup var common: ReadOptions

    func execute(in context: CommandContext) throws -> JSONValue {
        let database = try context.session.clientWithCurrentSchema()
        let migrator = try Migrator.configured()
        let applied = try database.appliedMigrations(migrator)
        return .array(migrator.migrations.map { migration in
            .object([
                ("version", .number(String(migration.version))),
                ("name", .string(migration.name)),
                ("applied", .bool(applied[migration.version] != nil)),
            ])
        })
    }
}
