import XCTest
final class ProcurementStoreTestsPlaceholder: XCTestCase { func testNothing() {} }
