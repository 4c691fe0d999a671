import EmbeddedPostgres
import Foundation
import ProcessSupport
import Postgres
import ProcurementStore

/// The PostgreSQL cluster of this test process: created in a fresh folder under /tmp on first
/// use, started once, stopped and deleted when the process exits. Each test makes its own
/// database in it, so tests never see each other's data.
public enum TestCluster {
    /// The running cluster, started on the first call.
    public static func shared() throws -> EmbeddedCluster {
        try SharedCluster.instance.cluster()
    }

    /// Creates an empty database with a unique name and returns its libpq conninfo.
    public static func createDatabase(_ prefix: String = "t") throws -> String {
        let cluster = try shared()
        let name = "\(prefix.lowercased().prefix(40))_\(uniqueSuffix())"
        let admin = try Connection(cluster.conninfo(database: "postgres"))
        try admin.execute(script: "CREATE DATABASE \(quoteIdentifier(name))")
        return cluster.conninfo(database: name)
    }

    /// Creates a database as `createDatabase` does and applies the project's `sql/` migrations.
    public static func createMigratedDatabase(_ prefix: String = "t") throws -> String {
        let conninfo = try createDatabase(prefix)
        let connection = try Connection(conninfo)
        try Migrator.configured().migrate(connection)
        return conninfo
    }

    /// A suffix no other call in this test process returns: the one way tests name the roles
    /// they create (`"buyer_\(TestCluster.uniqueSuffix())"`), and databases. A role belongs to
    /// the whole cluster, not to one database, so two tests must never pick the same name; every
    /// cluster a test uses is made by and for its own process, so a counter is enough.
    public static func uniqueSuffix() -> String {
        String(SharedCluster.instance.nextNumber())
    }
}

/// Starts the cluster once per process, whichever thread asks first.
final class SharedCluster: @unchecked Sendable {
    static let instance = SharedCluster()

    private let lock = NSLock()
    // Guarded by `lock`.
    private var created: EmbeddedCluster?
    private var running = false
    private var failure: (any Error)?
    private var issuedNumbers = 0

    static let settings = [
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
        "shared_buffers": "'128MB'",
    ]

    func cluster() throws -> EmbeddedCluster {
        lock.lock()
        defer { lock.unlock() }
        if running, let created { return created }
        // A failed start is not retried: every test reports the same cause quickly.
        if let failure { throw failure }
        do {
            Self.removeAbandonedClusters()
            let home = try TemporaryFolder.make(prefix: Self.folderPrefix)
            try String(getpid()).write(to: home.appendingPathComponent(Self.ownerFile), atomically: true, encoding: .utf8)
            let cluster = EmbeddedCluster(home: home, settings: Self.settings)
            created = cluster
            atexit { SharedCluster.instance.shutDown() }
            try cluster.start()
            running = true
            return cluster
        } catch {
            failure = error
            throw error
        }
    }

    func nextNumber() -> Int {
        lock.lock()
        defer { lock.unlock() }
        issuedNumbers += 1
        return issuedNumbers
    }

    /// Runs at process exit: stops the server and deletes its folder.
    func shutDown() {
        lock.lock()
        let cluster = created
        created = nil
        running = false
        lock.unlock()
        guard let cluster else { return }
        Self.remove(cluster)
    }

    static let folderPrefix = "pt."
    static let ownerFile = "owner.pid"

    static func remove(_ cluster: EmbeddedCluster) {
        try? cluster.stop()
        try? FileManager.default.removeItem(at: cluster.home)
    }

    /// A test process that crashed never ran its exit handler: stop and delete the clusters
    /// whose owning process is gone.
    static func removeAbandonedClusters() {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for folder in folders where folder.hasPrefix(folderPrefix) {
            let home = URL(fileURLWithPath: "/tmp").appendingPathComponent(folder, isDirectory: true)
            guard let text = try? String(contentsOf: home.appendingPathComponent(ownerFile), encoding: .utf8),
                  let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            remove(EmbeddedCluster(home: home))
        }
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
