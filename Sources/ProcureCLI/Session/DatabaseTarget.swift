import EmbeddedPostgres
import Foundation

/// Which database a run talks to: `--db`, then `DATABASE_URL`, then libpq's own
/// `PG*` variables or service file, else the embedded cluster under `$PROCURE_HOME`.
enum DatabaseTarget {
    case conninfo(String)
    case embedded(EmbeddedCluster)

    static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DatabaseTarget {
        if let flag, !flag.isEmpty { return .conninfo(flag) }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .conninfo(url) }
        if ["PGHOST", "PGDATABASE", "PGSERVICE"].contains(where: { !(environment[$0] ?? "").isEmpty }) {
            // An empty conninfo lets libpq read PG* variables and the service file itself.
            return .conninfo("")
        }
        return .embedded(EmbeddedCluster(home: EmbeddedCluster.defaultHome(environment: environment)))
    }

    var cluster: EmbeddedCluster? {
        if case .embedded(let cluster) = self { return cluster }
        return nil
    }
}
