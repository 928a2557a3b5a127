// The executor of view models' core calls. Every `WalkoutApp` method blocks on network or disk work,
// so the app runs them off the main thread and delivers results back to it.

import Foundation

/// Runs blocking work and delivers its result to the thread that owns the view models.
public protocol Worker {
    func perform<Value>(
        _ work: @escaping () throws -> Value,
        then deliver: @escaping (Result<Value, Error>) -> Void
    )
}

/// Runs work on a background queue and delivers the result on the main queue.
public struct DispatchWorker: Worker {
    private let queue: DispatchQueue

    public init(queue: DispatchQueue = DispatchQueue(label: "walkout.core", qos: .userInitiated)) {
        self.queue = queue
    }

    public func perform<Value>(
        _ work: @escaping () throws -> Value,
        then deliver: @escaping (Result<Value, Error>) -> Void
    ) {
        queue.async {
            let result = Result { try work() }
            DispatchQueue.main.async { deliver(result) }
        }
    }
}

/// Runs work and delivers its result at once on the calling thread. For tests and SwiftUI
/// previews only: in the app it would block the main thread on the network.
public struct InlineWorker: Worker {
    public init() {}

    public func perform<Value>(
        _ work: @escaping () throws -> Value,
        then deliver: @escaping (Result<Value, Error>) -> Void
    ) {
        deliver(Result { try work() })
    }
}
