// Base of every view model: one value-type `State` that a screen renders, and one change
// callback. Plain Swift with no Combine or Observation, so the same code builds and runs its
// tests on Linux. A SwiftUI screen observes a view model through `ObservedModel`.

import Foundation

open class ViewModel<State> {
    /// The screen's content. Only the view model changes it, on the thread that delivers
    /// results (the main thread in the app, the test's thread in tests).
    public private(set) var state: State

    /// Called after every change of `state`, with the new state. The screen that shows the
    /// view model sets it.
    public var onChange: ((State) -> Void)?

    /// Further callbacks added with `observe`, called after `onChange` in the order added.
    private var observers: [(State) -> Void] = []

    public init(state: State) {
        self.state = state
    }

    /// Adds a callback for every later change of `state`, beside the screen's `onChange`.
    /// Another view model uses it to follow this one, such as `SessionRouter` following
    /// sign-in. It is never removed, so `observer` must capture its owner weakly.
    public func observe(_ observer: @escaping (State) -> Void) {
        observers.append(observer)
    }

    /// Applies `change` to the state, then calls `onChange` and each observer once.
    public func update(_ change: (inout State) -> Void) {
        change(&state)
        onChange?(state)
        for observer in observers {
            observer(state)
        }
    }
}
