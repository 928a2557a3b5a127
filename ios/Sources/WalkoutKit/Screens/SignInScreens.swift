// The signed-out screens: sign-in with email and password or a provider's button, each
// challenge step that follows, and sign-up. Apple platforms only; not compiled on Linux, so
// the decisions they show live in the view models and `FederatedProvider`, which are tested.

#if canImport(SwiftUI)
import SwiftUI

public struct SignInScreen: View {
    @StateObject private var observed: ObservedModel<SignInState, SignInViewModel>
    @StateObject private var federated: ObservedModel<FederatedSignInState, FederatedSignInViewModel>
    /// The brand's name, shown as the account's issuer in the authenticator app.
    private let issuer: String
    private let showSignUp: () -> Void

    public init(
        model: SignInViewModel,
        federated: FederatedSignInViewModel,
        issuer: String,
        showSignUp: @escaping () -> Void
    ) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
        _federated = StateObject(wrappedValue: ObservedModel(federated))
        self.issuer = issuer
        self.showSignUp = showSignUp
    }

    public var body: some View {
        Form {
            switch observed.state.phase {
            case .editing:
                credentials
                providerButtons
            case .working:
                ProgressView()
            case .needsCode(let destination):
                CodeForm(destination: destination) { observed.model.submitCode($0) }
            case .needsNewPassword(let required):
                NewPasswordForm(requiredAttributes: required) { password, attributes in
                    observed.model.submitNewPassword(password, attributes: attributes)
                }
            case .needsFactorChoice(let options):
                FactorChoiceForm(options: options) { observed.model.chooseFactor($0) }
            case .needsAuthenticatorSetup(let secret):
                AuthenticatorSetupForm(
                    secret: secret,
                    uri: observed.model.authenticatorSetupUri(issuer: issuer) ?? ""
                ) { code in
                    observed.model.submitCode(code)
                }
            case .signedIn:
                EmptyView()
            }
            if isChallenge {
                Button("Start over") { observed.model.startOver() }
            }
            if let message = observed.state.errorMessage ?? federated.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
    }

    private var isChallenge: Bool {
        switch observed.state.phase {
        case .needsCode, .needsNewPassword, .needsFactorChoice, .needsAuthenticatorSetup:
            return true
        case .editing, .working, .signedIn:
            return false
        }
    }

    private var credentials: some View {
        Section {
            TextField(NSLocalizedString("email_label", comment: ""), text: Binding(
                get: { observed.state.email }, set: { observed.model.setEmail($0) }))
                .textContentType(.username)
            SecureField("Password", text: Binding(
                get: { observed.state.password }, set: { observed.model.setPassword($0) }))
                .textContentType(.password)
            Button("Sign in") { observed.model.signIn() }
            Button("Create an account", action: showSignUp)
        }
    }

    /// One button per provider in the brand's order; all are disabled while one runs.
    private var providerButtons: some View {
        Section {
            ForEach(federated.state.providers, id: \.self) { name in
                Button(FederatedProvider(name: name).title) { federated.model.signIn(with: name) }
                    .disabled(federated.state.phase != .idle)
            }
        }
    }
}

public struct SignUpScreen: View {
    @StateObject private var observed: ObservedModel<SignUpState, SignUpViewModel>
    @SwiftUI.State private var code = ""
    private let showSignIn: () -> Void

    public init(model: SignUpViewModel, showSignIn: @escaping () -> Void) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
        self.showSignIn = showSignIn
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
                    .textContentType(.newPassword)
                Button("Create account") { observed.model.signUp() }
                    .disabled(observed.state.phase == .working)
            case .needsConfirmation(let destination):
                Text("Enter the code sent to \(destination ?? "your email address").")
                TextField("Code", text: $code).textContentType(.oneTimeCode)
                Button("Confirm") { observed.model.confirm(code: code) }
                Button("Send a new code") { observed.model.resendCode() }
            case .confirmed:
                Text("Your account is ready. Sign in to continue.")
            }
            Button("I already have an account", action: showSignIn)
            if let message = observed.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
    }
}
#endif
