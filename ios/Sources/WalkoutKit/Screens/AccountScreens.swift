// The settings screen: the account, sign-out and deletion. Apple platforms only; not compiled
// on Linux.

#if canImport(SwiftUI)
import SwiftUI

public struct SettingsScreen: View {
    @StateObject private var observed: ObservedModel<SettingsState, SettingsViewModel>

    public init(model: SettingsViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        Form {
            if case .signedIn(let user) = observed.state.phase {
                Text(user.email ?? user.username)
            }
            Button("Sign out") { observed.model.signOut() }
            Button(observed.state.confirmingDeletion ? "Tap again to delete your account" : "Delete account",
                   role: .destructive) { observed.model.deleteAccount() }
            if let message = observed.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
        .disabled(observed.state.isWorking)
        .onAppear { observed.model.appear() }
    }
}
#endif
