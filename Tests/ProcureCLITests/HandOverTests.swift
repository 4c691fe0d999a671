import Foundation
@testable import ProcureCLI
import XCTest

/// The hand-over between a batch's stages (`BatchRunner`): first in, first out, bounded, and
/// holding nothing it has handed on, however long the batch.
final class HandOverTests: XCTestCase {
    private final class Item {
        let number: Int
        init(_ number: Int) { self.number = number }
    }

    func testItemsComeOutInOrderAcrossThreadsAndCloseEndsTheTaking() {
        let handOver = HandOver<Int>(capacity: 4)
        let producer = BackgroundThread("test-producer") {
            for number in 0..<1_000 { handOver.put(number) }
            handOver.close()
        }
        var taken: [Int] = []
        while let number = handOver.take() { taken.append(number) }
        producer.wait()
        XCTAssertEqual(taken, Array(0..<1_000))
        XCTAssertFalse(handOver.put(1_000), "a closed hand-over refuses more")
    }

    /// A producer that stays ahead leaves the queue never empty: the items taken must still be
    /// let go (the leak this guards against grew a 1,000,000-line batch by 0.5 MiB a second).
    func testTakenItemsAreReleasedWhileTheQueueNeverEmpties() {
        let handOver = HandOver<Item>(capacity: 8)
        var released: [() -> Item?] = []
        for number in 0..<8 { handOver.put(Item(number)) }
        for number in 8..<1_000 {
            if let item = handOver.take() {
                weak var weakItem = item
                released.append { weakItem }
            }
            handOver.put(Item(number))
        }
        let stillHeld = released.enumerated().filter { $0.element() != nil }.map(\.offset)
        XCTAssertTrue(stillHeld.count <= 8, "taken items still held: \(stillHeld.count) of \(released.count)")
    }

    func testPutWaitsWhileFullAndTakeWhileEmpty() {
        let handOver = HandOver<Int>(capacity: 2)
        handOver.put(1)
        handOver.put(2)
        let putDone = DispatchSemaphore(value: 0)
        let producer = BackgroundThread("test-producer") {
            handOver.put(3)
            putDone.signal()
        }
        XCTAssertEqual(putDone.wait(timeout: .now() + 0.2), .timedOut, "a full hand-over makes put wait")
        XCTAssertEqual(handOver.take(), 1)
        XCTAssertEqual(putDone.wait(timeout: .now() + 10), .success)
        producer.wait()
        XCTAssertEqual(handOver.take(), 2)
        XCTAssertEqual(handOver.take(), 3)
        handOver.close()
        XCTAssertNil(handOver.take())
    }
}
