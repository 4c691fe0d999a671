import Foundation

/// Runs `body` on `count` threads that all start at the same moment, and waits for them.
/// Returns what each call threw (nil when it returned), in thread order.
public func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [(any Error)?] {
    let outcomes = ConcurrentOutcomes(count: count)
    let finished = DispatchGroup()
    for index in 0..<count {
        finished.enter()
        let thread = Thread {
            outcomes.waitForAll()
            do { try body(index) } catch { outcomes.record(error, at: index) }
            finished.leave()
        }
        thread.start()
    }
    finished.wait()
    return outcomes.errors
}

/// A start line for the threads of `runConcurrently`, and their errors.
private final class ConcurrentOutcomes: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var arrived = 0
    private var recorded: [(any Error)?]
    private let count: Int

    init(count: Int) {
        self.count = count
        recorded = Array(repeating: nil, count: count)
    }

    func waitForAll() {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        if arrived == count { condition.broadcast() }
        while arrived < count { condition.wait() }
    }

    func record(_ error: any Error, at index: Int) {
        condition.lock()
        recorded[index] = error
        condition.unlock()
    }

    var errors: [(any Error)?] {
        condition.lock()
        defer { condition.unlock() }
        return recorded
    }
}
