import XCTest
final class ProcureCLITestsPlaceholder: XCTestCase { func testNothing() {} }
