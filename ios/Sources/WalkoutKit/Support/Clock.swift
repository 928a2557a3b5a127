// The clock that view models read and schedule timers on. It is injected so that tests can
// move time by hand instead of waiting for it.

import Foundation

/// A timer that can be cancelled before it fires.
public protocol ScheduledWork: AnyObject {
    func cancel()
}

/// The current time and one-shot timers.
public protocol Clock: AnyObject {
    var now: Date { get }
    /// Calls `action` once, `delay` seconds from now, on the thread that owns the view models.
    func schedule(after delay: TimeInterval, _ action: @escaping () -> Void) -> ScheduledWork
}

/// The device clock, with timers on the main queue.
public final class SystemClock: Clock {
    public init() {}

    public var now: Date { Date() }

    public func schedule(after delay: TimeInterval, _ action: @escaping () -> Void) -> ScheduledWork {
        let item = DispatchWorkItem(block: action)
        DispatchQueue.main.asyncAfter(deadline: .now() + max(0, delay), execute: item)
        return DispatchScheduledWork(item: item)
    }
}

private final class DispatchScheduledWork: ScheduledWork {
    private let item: DispatchWorkItem

    init(item: DispatchWorkItem) {
        self.item = item
    }

    func cancel() {
        item.cancel()
    }
}
