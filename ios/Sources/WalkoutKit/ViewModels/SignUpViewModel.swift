// Account creation: email and password, then the confirmation code Cognito sends. Password
// rules are Cognito's and the core reports a breach as an error naming the field.

import Foundation

public struct SignUpState: Equatable {
    public enum Phase: Equatable {
        case editing
        case working
        /// Ask for the code that was sent to `destination` (masked, when Cognito returned one).
        case needsConfirmation(destination: String?)
        /// The account exists and is confirmed: continue to sign-in.
        case confirmed
    }

    public var email = ""
    public var password = ""
    public var phase: Phase = .editing
    public var errorMessage: String?
}

public final class SignUpViewModel: ViewModel<SignUpState> {
    private let auth: AuthService
    private let worker: Worker

    public init(auth: AuthService, worker: Worker) {
        self.auth = auth
        self.worker = worker
        super.init(state: SignUpState())
    }

    public func setEmail(_ email: String) {
        update { $0.email = email }
    }

    public func setPassword(_ password: String) {
        update { $0.password = password }
    }

    /// Creates the account with the typed email and password.
    public func signUp() {
        let auth = self.auth
        let email = state.email.trimmingCharacters(in: .whitespaces)
        let password = state.password
        start()
        worker.perform({ try auth.signUp(email: email, password: password) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let outcome):
                update {
                    $0.password = ""
                    $0.phase = outcome.userConfirmed
                        ? .confirmed
                        : .needsConfirmation(destination: outcome.codeDelivery?.destination)
                }
            case .failure(let error):
                fail(error, back: .editing)
            }
        }
    }

    /// Confirms the account with the code the shopper typed.
    public func confirm(code: String) {
        let auth = self.auth
        let email = state.email.trimmingCharacters(in: .whitespaces)
        let waiting = state.phase
        start()
        worker.perform({ try auth.confirmSignUp(email: email, code: code) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                update { $0.phase = .confirmed }
            case .failure(let error):
                fail(error, back: waiting)
            }
        }
    }

    /// Sends the confirmation code again.
    public func resendCode() {
        let auth = self.auth
        let email = state.email.trimmingCharacters(in: .whitespaces)
        let waiting = state.phase
        start()
        worker.perform({ try auth.resendCode(email: email) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let delivery):
                update { $0.phase = .needsConfirmation(destination: delivery?.destination) }
            case .failure(let error):
                fail(error, back: waiting)
            }
        }
    }

    private func start() {
        update {
            $0.phase = .working
            $0.errorMessage = nil
        }
    }

    private func fail(_ error: Error, back phase: SignUpState.Phase) {
        update {
            $0.phase = phase
            $0.errorMessage = errorMessage(for: error)
        }
    }
}
