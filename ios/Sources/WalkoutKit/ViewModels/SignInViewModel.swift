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
        /// Show `secretCode` (as text and as an `otpauth:` link, see `authenticatorSetupUri`)
        /// for the shopper to add to an authenticator app, then ask for its first code. The
        /// secret must never be logged.
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

    /// Responds to the new-password step. Every required attribute needs a value that is not
    /// blank; otherwise the form stays with a message and nothing is sent.
    public func submitNewPassword(_ password: String, attributes: [String: String] = [:]) {
        if case .needsNewPassword(let required) = state.phase {
            let missing = Self.missingAttributes(required: required, given: attributes)
            if let first = missing.first {
                let label = SignInLabels.attribute(first)
                update { $0.errorMessage = "Enter your \(label.lowercased())." }
                return
            }
        }
        respond(.newPassword(password: password, attributes: attributes))
    }

    /// Responds to the second-factor choice with one of its options. An option that the step
    /// did not offer is ignored.
    public func chooseFactor(_ option: String) {
        if case .needsFactorChoice(let options) = state.phase, !options.contains(option) {
            return
        }
        respond(.mfaType(mfaType: option))
    }

    /// Returns the `otpauth://` URI for the authenticator-setup step, labelled with `issuer`
    /// and the typed email, or nil in any other phase. It contains the secret: show it, never
    /// log it.
    public func authenticatorSetupUri(issuer: String) -> String? {
        guard case .needsAuthenticatorSetup(let secret) = state.phase else { return nil }
        return OtpAuthUri.totp(secret: secret, account: state.email, issuer: issuer)
    }

    /// Leaves a challenge step and returns to the email and password form. The core starts a
    /// new sign-in on the next `signIn`, so the abandoned step needs no call.
    public func startOver() {
        waitingPhase = .editing
        update {
            $0.phase = .editing
            $0.password = ""
            $0.errorMessage = nil
        }
    }

    /// Returns the required attributes that have no value in `given`, in the order required.
    static func missingAttributes(required: [String], given: [String: String]) -> [String] {
        required.filter { name in
            (given[name] ?? "").trimmingCharacters(in: .whitespaces).isEmpty
        }
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
                // The core keeps a step waiting only after a mistyped code or a rejected new
                // password. After other failures, only a new sign-in helps.
                let back = Self.hasNoWaitingStep(error) ? .editing : waitingPhase
                update {
                    $0.phase = back
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }

    private static func hasNoWaitingStep(_ error: Error) -> Bool {
        if case .InvalidInput(field: "response", reason: _) = error as? WalkoutFfiError {
            return true
        }
        return false
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
