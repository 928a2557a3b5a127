// Sign-in through a third-party OpenID Connect provider (Google, Sign in with Apple) with the
// authorization code flow and PKCE. The core's `signInHosted` builds the authorization URL,
// checks the redirect and exchanges the code. The system browser sheet
// (`ASWebAuthenticationSession`) only shows the provider's page, through
// `WebAuthenticatorBrowserStep`.

import Foundation

/// The core's side of hosted sign-in, as `WalkoutApp` exports it. The call blocks until the
/// browser step ends, so it must run off the main thread.
public protocol FederatedSignInService: AnyObject {
    func signInHosted(
        browser: BrowserStep,
        identityProvider: String?,
        redirectUri: String?
    ) throws -> CurrentUser
}

public struct FederatedSignInState: Equatable {
    public enum Phase: Equatable {
        case idle
        case working(provider: String)
        case signedIn(CurrentUser)
    }

    /// Provider names from the brand pack, in the order to show them. Each is sent as the
    /// provider's `identity_provider` name, such as `Google` or `SignInWithApple`.
    public var providers: [String]
    public var phase: Phase = .idle
    public var errorMessage: String?
}

public final class FederatedSignInViewModel: ViewModel<FederatedSignInState> {
    /// Shown when the app's configuration has no OpenID provider.
    public static let notConfiguredMessage =
        "Signing in with another account is not available in this app."
    /// Shown when the sign-in sheet could not be shown or did not come back.
    public static let browserFailedMessage =
        "The sign-in page could not be opened. Please try again."

    private let service: FederatedSignInService
    private let browser: BrowserStep
    private let worker: Worker

    /// `presentationQueue` is where `authenticator` is called. It must differ from the queue
    /// on which `worker` runs its work, because that queue blocks until the sheet ends.
    public init(
        providers: [String],
        service: FederatedSignInService,
        authenticator: WebAuthenticator,
        presentationQueue: DispatchQueue = .main,
        worker: Worker
    ) {
        self.service = service
        self.browser = WebAuthenticatorBrowserStep(
            authenticator: authenticator,
            presentationQueue: presentationQueue
        )
        self.worker = worker
        super.init(state: FederatedSignInState(providers: providers))
    }

    /// Runs the whole flow for `provider`. Closing the sheet returns to the buttons without an
    /// error message.
    public func signIn(with provider: String) {
        guard case .idle = state.phase else { return }
        update {
            $0.phase = .working(provider: provider)
            $0.errorMessage = nil
        }
        let service = self.service
        let browser = self.browser
        worker.perform({
            try service.signInHosted(browser: browser, identityProvider: provider, redirectUri: nil)
        }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let user):
                update { $0.phase = .signedIn(user) }
            case .failure(let error):
                let message = Self.message(for: error)
                update {
                    $0.phase = .idle
                    $0.errorMessage = message
                }
            }
        }
    }

    /// Returns the sentence to show for a failed sign-in, or nil when the shopper cancelled.
    static func message(for error: Error) -> String? {
        switch error as? WalkoutFfiError {
        case .Denied(reasonSlug: "sign-in-cancelled"):
            return nil
        case .Denied(reasonSlug: "browser-failed"):
            return browserFailedMessage
        case .InvalidInput(field: "openid", reason: _):
            return notConfiguredMessage
        default:
            return errorMessage(for: error)
        }
    }
}
