// Settings: the signed-in account, sign-out and account deletion. Deleting needs a second tap,
// because it cannot be undone.

import Foundation

public struct SettingsState: Equatable {
    public enum Phase: Equatable {
        case loading
        case signedIn(CurrentUser)
        /// No session: show the sign-in screen.
        case signedOut
    }

    public var phase: Phase = .loading
    /// The first tap on "Delete account" sets this; the second one deletes.
    public var confirmingDeletion = false
    public var isWorking = false
    /// Sign-out could not reach Cognito: the device is signed out, and revoking the refresh
    /// token waits until it is online.
    public var revocationPending = false
    public var errorMessage: String?
}

public final class SettingsViewModel: ViewModel<SettingsState> {
    private let account: AccountService
    private let worker: Worker

    public init(account: AccountService, worker: Worker) {
        self.account = account
        self.worker = worker
        super.init(state: SettingsState())
    }

    /// Reads the signed-in shopper from the device; makes no network call.
    public func appear() {
        let account = self.account
        worker.perform({ try account.currentUser() }) { [weak self] result in
            self?.update {
                switch result {
                case .success(.some(let user)):
                    $0.phase = .signedIn(user)
                case .success(.none):
                    $0.phase = .signedOut
                case .failure(let error):
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }

    public func signOut() {
        let account = self.account
        run({ try account.signOut() }) { state, outcome in
            state.revocationPending = outcome.revocationsPending > 0
        }
    }

    /// Asks for confirmation on the first call and deletes the account on the second.
    public func deleteAccount() {
        guard state.confirmingDeletion else {
            update { $0.confirmingDeletion = true }
            return
        }
        let account = self.account
        run({ try account.deleteAccount() }) { _, _ in }
    }

    public func cancelDeletion() {
        update { $0.confirmingDeletion = false }
    }

    private func run<Value>(
        _ call: @escaping () throws -> Value,
        apply: @escaping (inout SettingsState, Value) -> Void
    ) {
        update {
            $0.isWorking = true
            $0.errorMessage = nil
        }
        worker.perform(call) { [weak self] result in
            self?.update {
                $0.isWorking = false
                $0.confirmingDeletion = false
                switch result {
                case .success(let value):
                    $0.phase = .signedOut
                    apply(&$0, value)
                case .failure(let error):
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }
}
