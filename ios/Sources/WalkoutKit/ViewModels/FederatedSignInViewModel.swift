// Sign-in through a third-party OpenID Connect provider (Google, Sign in with Apple) with the
// authorization code flow and PKCE. The core builds the authorization URL and exchanges the
// code; the system browser sheet (`ASWebAuthenticationSession`) shows the provider's page.

import Foundation

/// The provider's authorization URL, and the URL scheme that ends the flow.
public struct FederatedAuthorization: Equatable {
    public var url: URL
    public var callbackScheme: String

    public init(url: URL, callbackScheme: String) {
        self.url = url
        self.callbackScheme = callbackScheme
    }
}

/// The core's side of federated sign-in.
// TODO: `WalkoutApp` exports hosted sign-in as `signInHosted(browser:identityProvider:redirectUri:)`
// with a blocking `BrowserStep` callback, not through this protocol. An adapter between the two
// is not written yet, so the app cannot offer these buttons.
public protocol FederatedSignInService: AnyObject {
    /// Builds the authorization URL for `provider`, keeping the PKCE verifier and state.
    func federatedAuthorization(provider: String) throws -> FederatedAuthorization
    /// Checks the state of `callbackUrl`, exchanges its code and stores the session.
    func completeFederatedSignIn(callbackUrl: String) throws -> CurrentUser
}

public enum WebAuthenticationError: Error, Equatable {
    /// The shopper closed the sheet.
    case cancelled
    case failed
}

/// Shows a provider's sign-in page and returns the callback URL it redirected to.
public protocol WebAuthenticator: AnyObject {
    func authenticate(
        url: URL,
        callbackScheme: String,
        completion: @escaping (Result<URL, WebAuthenticationError>) -> Void
    )
}

public struct FederatedSignInState: Equatable {
    public enum Phase: Equatable {
        case idle
        case working(provider: String)
        case signedIn(CurrentUser)
    }

    /// Provider names from the brand pack, in the order to show them.
    public var providers: [String]
    public var phase: Phase = .idle
    public var errorMessage: String?
}

public final class FederatedSignInViewModel: ViewModel<FederatedSignInState> {
    private let service: FederatedSignInService
    private let authenticator: WebAuthenticator
    private let worker: Worker

    public init(
        providers: [String],
        service: FederatedSignInService,
        authenticator: WebAuthenticator,
        worker: Worker
    ) {
        self.service = service
        self.authenticator = authenticator
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
        worker.perform({ try service.federatedAuthorization(provider: provider) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let authorization):
                openBrowser(authorization)
            case .failure(let error):
                fail(errorMessage(for: error))
            }
        }
    }

    private func openBrowser(_ authorization: FederatedAuthorization) {
        authenticator.authenticate(
            url: authorization.url,
            callbackScheme: authorization.callbackScheme
        ) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let callback):
                complete(callback)
            case .failure(.cancelled):
                update { $0.phase = .idle }
            case .failure(.failed):
                fail("The sign-in page could not be opened. Please try again.")
            }
        }
    }

    private func complete(_ callback: URL) {
        let service = self.service
        let text = callback.absoluteString
        worker.perform({ try service.completeFederatedSignIn(callbackUrl: text) }) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let user):
                update { $0.phase = .signedIn(user) }
            case .failure(let error):
                fail(errorMessage(for: error))
            }
        }
    }

    private func fail(_ message: String) {
        update {
            $0.phase = .idle
            $0.errorMessage = message
        }
    }
}
