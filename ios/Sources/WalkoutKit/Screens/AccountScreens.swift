// Sign-in and settings screens. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import SwiftUI

public struct SignInScreen: View {
    @StateObject private var observed: ObservedModel<SignInState, SignInViewModel>
    @SwiftUI.State private var code = ""

    public init(model: SignInViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        Form {
            switch observed.state.phase {
            case .editing, .working:
                TextField(NSLocalizedString("email_label", comment: ""), text: Binding(
                    get: { observed.state.email }, set: { observed.model.setEmail($0) }))
                    .textContentType(.username)
                SecureField("Password", text: Binding(
                    get: { observed.state.password }, set: { observed.model.setPassword($0) }))
                    .textContentType(.password)
                Button("Sign in") { observed.model.signIn() }
                    .disabled(observed.state.phase == .working)
            case .needsCode, .needsAuthenticatorSetup:
                if case .needsAuthenticatorSetup(let secret) = observed.state.phase {
                    Text(secret).textSelection(.enabled)
                }
                TextField("Code", text: $code).textContentType(.oneTimeCode)
                Button("Continue") { observed.model.submitCode(code) }
            case .needsNewPassword:
                SecureField("New password", text: $code).textContentType(.newPassword)
                Button("Continue") { observed.model.submitNewPassword(code) }
            case .needsFactorChoice(let options):
                ForEach(options, id: \.self) { option in
                    Button(option) { observed.model.chooseFactor(option) }
                }
            case .signedIn:
                EmptyView()
            }
            if let message = observed.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
    }
}

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
