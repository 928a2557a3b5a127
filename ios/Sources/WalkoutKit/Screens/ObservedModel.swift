// Bridges a plain view model to SwiftUI: the screen observes this object, which republishes
// the view model's state. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import SwiftUI

@MainActor
public final class ObservedModel<State, Model: ViewModel<State>>: ObservableObject {
    @Published public private(set) var state: State
    public let model: Model

    public init(_ model: Model) {
        self.model = model
        self.state = model.state
        model.onChange = { [weak self] state in self?.state = state }
    }
}
#endif
