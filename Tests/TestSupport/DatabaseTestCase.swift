import Foundation
import Postgres
import XCTest

/// Base of every test that needs a database of the shared test cluster (`TestCluster`). A
/// subclass says in `databaseOptions` whether each test gets a fresh database or the class
/// shares one, whether it is migrated, and whether each test gets an open `connection`.
/// Running the built binary against the database: DatabaseTestCase+Procure.swift.
open class DatabaseTestCase: XCTestCase {
    public struct DatabaseOptions: Sendable {
        public enum Lifetime: Sendable {
            /// A fresh database for every test: nothing one test writes is seen by another.
            case test
            /// One database for all tests of the class, made for its first test: for tests that
            /// only touch temporary tables or tables of their own name.
            case testClass
        }

        public var lifetime: Lifetime
        /// Whether the project's migrations are applied to the database (else it is empty).
        public var migrated: Bool
        /// Whether every test gets `connection`, opened before it and closed after it.
        public var opensConnection: Bool

        public init(lifetime: Lifetime = .test, migrated: Bool = true, opensConnection: Bool = false) {
            self.lifetime = lifetime
            self.migrated = migrated
            self.opensConnection = opensConnection
        }
    }

    /// A freshly migrated database per test, no connection opened: what most tests need.
    open class var databaseOptions: DatabaseOptions { DatabaseOptions() }

    /// The libpq conninfo of this test's database.
    public private(set) var conninfo = ""
    /// A connection to this test's database as its superuser, when `opensConnection`.
    public private(set) var connection: Connection!

    open override func setUpWithError() throws {
        try super.setUpWithError()
        let options = Self.databaseOptions
        let make = { [prefix = String(describing: Self.self)] in
            options.migrated ? try TestCluster.createMigratedDatabase(prefix) : try TestCluster.createDatabase(prefix)
        }
        switch options.lifetime {
        case .test: conninfo = try make()
        case .testClass: conninfo = try ClassDatabases.shared.conninfo(of: Self.self, make: make)
        }
        if options.opensConnection { connection = try Connection(conninfo) }
    }

    open override func tearDown() {
        connection?.close()
        connection = nil
        super.tearDown()
    }

    /// Runs SQL as the superuser on a connection of its own, to this test's database or `db`.
    @discardableResult
    public func sql(_ text: String, _ parameters: [any PostgresEncodable] = [], db: String? = nil) throws -> QueryResult {
        let connection = try Connection(db ?? conninfo)
        return try connection.query(text, parameters)
    }

    /// The one value of a one-row query, as `sql` runs it.
    public func scalar(_ text: String, _ parameters: [any PostgresEncodable] = [], db: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        try scalar(Connection(db ?? conninfo), text, parameters, file: file, line: line)
    }

    /// The one value of a one-row query on `connection`; another number of rows fails the test.
    public func scalar(_ connection: Connection, _ text: String, _ parameters: [any PostgresEncodable] = [],
                       file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let result = try connection.query(text, parameters)
        XCTAssertEqual(result.rows.count, 1, text, file: file, line: line)
        return result.first?[0]
    }
}

/// The databases of the test classes whose lifetime is `.testClass`. A failure to make one is
/// kept too, so every test of the class reports the same cause at once.
private final class ClassDatabases: @unchecked Sendable {
    static let shared = ClassDatabases()

    private let lock = NSLock()
    // Guarded by `lock`.
    private var made: [ObjectIdentifier: Result<String, any Error>] = [:]

    func conninfo(of testClass: AnyClass, make: () throws -> String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(testClass)
        if let known = made[key] { return try known.get() }
        let result = Result { try make() }
        made[key] = result
        return try result.get()
    }
}
