// Base of every view model: one value-type `State` that a screen renders, and one change
// callback. Plain Swift with no Combine or Observation, so the same code builds and runs its
// tests on Linux. A SwiftUI screen observes a view model through `ObservedModel`.

import Foundation

open class ViewModel<State> {
    /// The screen's content. Only the view model changes it, on the thread that delivers
    /// results (the main thread in the app, the test's thread in tests).
    public private(set) var state: State

    /// Called after every change of `state`, with the new state.
    public var onChange: ((State) -> Void)?

    public init(state: State) {
        self.state = state
    }

    /// Applies `change` to the state, then calls `onChange` once.
    public func update(_ change: (inout State) -> Void) {
        change(&state)
        onChange?(state)
    }
}
