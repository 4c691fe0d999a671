import Foundation

/// A first-in, first-out hand-over from one thread to another that holds at most `capacity`
/// items: `put` waits while it is full, `take` while it is empty. `close` ends it from either
/// side: `put` then refuses, `take` returns what is left and then nil.
final class HandOver<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Element] = []
    private var head = 0
    private var closed = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// False when the hand-over was closed (the taker stopped): the item is dropped.
    @discardableResult
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity, !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count, !closed { condition.wait() }
        guard head < items.count else { return nil }
        return takeHead()
    }

    /// The next item without waiting, when there is one and `accept` takes it; else nil, and
    /// the item, if any, stays next.
    func takeIfReady(where accept: (Element) -> Bool) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        guard head < items.count, accept(items[head]) else { return nil }
        return takeHead()
    }

    /// Takes the item at `head`; the lock is held.
    private func takeHead() -> Element {
        let item = items[head]
        head += 1
        // drop the taken items once they are as many as the hand-over holds: a taker that never
        // catches up (the queue never empty) must not keep every item it was ever handed
        if head >= capacity || head == items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs `body` on a thread of its own; `wait` returns once it has finished.
final class BackgroundThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ name: String, _ body: @escaping () -> Void) {
        let unchecked = UncheckedSendable(body)
        let thread = Thread { [finished] in
            unchecked.value()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    func wait() {
        finished.wait()
    }
}

/// A value handed to another thread that only that thread then uses.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
