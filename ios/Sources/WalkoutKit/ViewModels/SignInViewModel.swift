// Sign-in with email and password (Cognito SRP in the core), and the steps Cognito may ask
// for after it: a second-factor code or a new password. The password leaves the state as soon
// as the core has it.

import Foundation

public struct SignInState: Equatable {
    public enum Phase: Equatable {
        case editing
        case working
        /// Ask for a code sent to `destination` (masked) or shown by an authenticator app.
        case needsCode(destination: String?)
        /// The account has a temporary password: ask for a new one and these attributes.
        case needsNewPassword(requiredAttributes: [String])
        /// Ask which second factor to use.
        case needsFactorChoice(options: [String])
        /// Show `secretCode` (as text and as an `otpauth:` QR code) for the shopper to add to an
        /// authenticator app, then ask for its first code. The secret must never be logged.
        case needsAuthenticatorSetup(secretCode: String)
        case signedIn(CurrentUser)
    }

    public var email = ""
    public var password = ""
    public var phase: Phase = .editing
    public var errorMessage: String?
}

public final class SignInViewModel: ViewModel<SignInState> {
    private let auth: AuthService
    private let worker: Worker
    /// The phase to go back to when a step fails, so a mistyped code can be typed again.
    private var waitingPhase: SignInState.Phase = .editing

    public init(auth: AuthService, worker: Worker) {
        self.auth = auth
        self.worker = worker
        super.init(state: SignInState())
    }

    public func setEmail(_ email: String) {
        update { $0.email = email }
    }

    public func setPassword(_ password: String) {
        update { $0.password = password }
    }

    /// Starts sign-in with the typed email and password.
    public func signIn() {
        let auth = self.auth
        let email = state.email.trimmingCharacters(in: .whitespaces)
        let password = state.password
        waitingPhase = .editing
        run { try auth.signInStart(email: email, password: password) }
    }

    /// Responds to a code step (SMS, email or authenticator app), or finishes authenticator setup
    /// with the app's first code.
    public func submitCode(_ code: String, deviceName: String? = nil) {
        if case .needsAuthenticatorSetup = state.phase {
            respond(.mfaSetupCode(code: code, friendlyDeviceName: deviceName))
        } else {
            respond(.mfaCode(code: code))
        }
    }

    /// Responds to the new-password step.
    public func submitNewPassword(_ password: String, attributes: [String: String] = [:]) {
        respond(.newPassword(password: password, attributes: attributes))
    }

    /// Responds to the second-factor choice with one of its options.
    public func chooseFactor(_ option: String) {
        respond(.mfaType(mfaType: option))
    }

    private func respond(_ response: SignInResponse) {
        let auth = self.auth
        waitingPhase = state.phase
        run { try auth.signInRespond(response: response) }
    }

    private func run(_ call: @escaping () throws -> SignInStep) {
        update {
            $0.phase = .working
            $0.errorMessage = nil
        }
        worker.perform(call) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let step):
                update {
                    $0.password = ""
                    $0.phase = Self.phase(for: step)
                }
            case .failure(let error):
                let back = waitingPhase
                update {
                    $0.phase = back
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }

    static func phase(for step: SignInStep) -> SignInState.Phase {
        switch step {
        case .signedIn(let user):
            return .signedIn(user)
        case .newPasswordRequired(let attributes):
            return .needsNewPassword(requiredAttributes: attributes)
        case .smsMfaCode(let destination), .emailMfaCode(let destination):
            return .needsCode(destination: destination)
        case .softwareTokenMfaCode:
            return .needsCode(destination: nil)
        case .selectMfaType(let options):
            return .needsFactorChoice(options: options)
        case .mfaSetup(let secretCode):
            return .needsAuthenticatorSetup(secretCode: secretCode)
        }
    }
}
