// The app's root decision: show sign-in and sign-up while nobody is signed in, and the tabs
// while a shopper is. It reads the stored session once at start-up and then follows the
// outcomes of the sign-in, hosted sign-in and settings view models. It makes no network call of
// its own, so a shopper with a stored session reaches the tabs while offline.

import Foundation

public enum SessionRoute: Equatable {
    /// The stored session has not been read yet.
    case loading
    case signedOut
    case signedIn(CurrentUser)
}

public final class SessionRouter: ViewModel<SessionRoute> {
    private let account: AccountService
    private let worker: Worker

    public init(account: AccountService, worker: Worker) {
        self.account = account
        self.worker = worker
        super.init(state: .loading)
    }

    /// Reads the signed-in shopper from the device. A session that cannot be read counts as
    /// signed out, because the shopper can always sign in again.
    public func start() {
        let account = self.account
        worker.perform({ try account.currentUser() }) { [weak self] result in
            switch result {
            case .success(.some(let user)):
                self?.update { $0 = .signedIn(user) }
            case .success(.none), .failure:
                self?.update { $0 = .signedOut }
            }
        }
    }

    /// Shows the tabs once `model` reaches `signedIn`.
    public func follow(signIn model: SignInViewModel) {
        model.observe { [weak self] state in
            if case .signedIn(let user) = state.phase {
                self?.enter(user)
            }
        }
    }

    /// Shows the tabs once a hosted sign-in through `model` succeeds.
    public func follow(federatedSignIn model: FederatedSignInViewModel) {
        model.observe { [weak self] state in
            if case .signedIn(let user) = state.phase {
                self?.enter(user)
            }
        }
    }

    /// Returns to sign-in once `model` reports no session: after sign-out, after account
    /// deletion, or when the session was gone when settings opened.
    public func follow(settings model: SettingsViewModel) {
        model.observe { [weak self] state in
            if state.phase == .signedOut {
                self?.leave()
            }
        }
    }

    private func enter(_ user: CurrentUser) {
        if state != .signedIn(user) {
            update { $0 = .signedIn(user) }
        }
    }

    private func leave() {
        if state != .signedOut {
            update { $0 = .signedOut }
        }
    }
}
