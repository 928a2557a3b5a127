// Hosted sign-in through the real core's `signInHosted`, with test sheets in place of
// `ASWebAuthenticationSession`. The core discovers the provider at the oidc-provider emulator
// that `cargo xtask ios` starts. A fake sheet returns fixed outcomes (closed, failed, a foreign
// `state`), and `BrowserAuthenticator` signs in on the emulator's login page as a browser
// would, so a login is completed end to end.

import Foundation
import XCTest
@testable import WalkoutKit

/// The redirect URI that the emulator registers for its test client.
private let redirectUri = "com.example.walkout:/callback"

/// A sign-in sheet that completes with `answers`, in order, each time it is shown.
private final class FakeAuthenticator: WebAuthenticator {
    private let answers: [Result<URL, WebAuthenticationError>]
    private(set) var shownUrl: URL?
    private(set) var shownScheme: String?

    init(_ answers: Result<URL, WebAuthenticationError>...) {
        self.answers = answers
    }

    func authenticate(
        url: URL,
        callbackScheme: String,
        completion: @escaping (Result<URL, WebAuthenticationError>) -> Void
    ) {
        shownUrl = url
        shownScheme = callbackScheme
        for answer in answers {
            completion(answer)
        }
    }
}

/// Returns the emulator's issuer and client, from the variables `cargo xtask ios` sets.
private func emulatorSettings() throws -> OpenIdSettings {
    OpenIdSettings(
        issuer: try requireEnv("WALKOUT_OIDC_ISSUER"),
        clientId: try requireEnv("WALKOUT_OIDC_CLIENT_ID"),
        redirectUri: redirectUri,
        scopes: ["openid", "email"],
        identityProvider: nil
    )
}

/// Creates an app whose backend and Cognito are never called; hosted sign-in needs neither.
private func makeHostedApp(openid: OpenIdSettings?) throws -> WalkoutApp {
    let store = try KeychainSecretStore(brandId: "acme", teamId: "TEAM123456", backend: FakeKeychain())
    var config = makeConfig(storageDir: try makeTemporaryDirectory(), backendUrl: unusedLoopbackUrl())
    config.openid = openid
    return try WalkoutApp(config: config, secretStore: store)
}

/// A queue other than the test's thread, where the fake sheet is shown.
private let sheetQueue = DispatchQueue(label: "walkout.tests.sheet")

private func browserStep(_ authenticator: WebAuthenticator) -> WebAuthenticatorBrowserStep {
    WebAuthenticatorBrowserStep(authenticator: authenticator, presentationQueue: sheetQueue)
}

/// Returns the error that `call` throws, or nil when it returns.
private func thrownError(_ call: () throws -> CurrentUser) -> WalkoutFfiError? {
    do {
        _ = try call()
        return nil
    } catch let error as WalkoutFfiError {
        return error
    } catch {
        return .Internal
    }
}

final class HostedSignInTests: XCTestCase {
    func testMissingOpenidIsNotConfigured() throws {
        let app = try makeHostedApp(openid: nil)
        let authenticator = FakeAuthenticator(.failure(.cancelled))
        let error = thrownError {
            try app.signInHosted(browser: browserStep(authenticator), identityProvider: nil, redirectUri: nil)
        }
        XCTAssertEqual(
            error,
            .InvalidInput(field: "openid", reason: "the configuration has no [openid] section")
        )
        XCTAssertNil(authenticator.shownUrl)
    }

    func testModelShowsNotConfigured() throws {
        let app = try makeHostedApp(openid: nil)
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app, authenticator: FakeAuthenticator(.failure(.cancelled)),
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        model.signIn(with: "Google")
        XCTAssertEqual(model.state.phase, .idle)
        XCTAssertEqual(model.state.errorMessage, FederatedSignInViewModel.notConfiguredMessage)
    }

    func testClosedSheetIsCancelled() throws {
        let settings = try emulatorSettings()
        let app = try makeHostedApp(openid: settings)
        let authenticator = FakeAuthenticator(.failure(.cancelled))
        let error = thrownError {
            try app.signInHosted(browser: browserStep(authenticator), identityProvider: nil, redirectUri: nil)
        }
        XCTAssertEqual(error, .Denied(reasonSlug: "sign-in-cancelled"))
        XCTAssertEqual(authenticator.shownScheme, "com.example.walkout")
        let shown = authenticator.shownUrl?.absoluteString ?? ""
        XCTAssertTrue(shown.hasPrefix(settings.issuer), shown)
        XCTAssertTrue(shown.contains("code_challenge="), shown)
    }

    func testModelReturnsToButtonsOnCancel() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app, authenticator: FakeAuthenticator(.failure(.cancelled)),
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        model.signIn(with: "Google")
        XCTAssertEqual(model.state.phase, .idle)
        XCTAssertNil(model.state.errorMessage)
    }

    func testModelShowsSheetFailure() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app, authenticator: FakeAuthenticator(.failure(.failed)),
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        model.signIn(with: "Google")
        XCTAssertEqual(model.state.phase, .idle)
        XCTAssertEqual(model.state.errorMessage, FederatedSignInViewModel.browserFailedMessage)
    }

    func testForeignStateIsRejected() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let landed = try XCTUnwrap(URL(string: "\(redirectUri)?code=abc&state=not-ours"))
        let authenticator = FakeAuthenticator(.success(landed))
        let error = thrownError {
            try app.signInHosted(browser: browserStep(authenticator), identityProvider: nil, redirectUri: nil)
        }
        XCTAssertEqual(error, .Denied(reasonSlug: "state-mismatch"))
        XCTAssertNil(try? app.currentUser())
    }
}

/// The emulator's test shopper, from `xtask/oidc/server.mjs`.
private let providerEmail = "shopper@example.com"
private let providerPassword = "correct horse battery staple"
private let providerSubject = "test-shopper-1"

final class HostedBrowserSignInTests: XCTestCase {
    func testLoginReachesSignedIn() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let browser = BrowserAuthenticator(login: providerEmail, password: providerPassword)
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app, authenticator: browser,
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        model.signIn(with: "Google")
        guard case .signedIn(let user) = model.state.phase else {
            return XCTFail("expected signedIn, got \(model.state.phase), \(model.state.errorMessage ?? "")")
        }
        XCTAssertEqual(user.sub, providerSubject)
        XCTAssertEqual(user.email, providerEmail)
        XCTAssertEqual(user.emailVerified, true)
        XCTAssertEqual(try app.currentUser(), user)
        XCTAssertEqual(browser.requestCount, 4, "authorize, login page, login form, resume")
    }

    func testRouterFollowsHostedLogin() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let router = SessionRouter(account: app, worker: InlineWorker())
        router.start()
        XCTAssertEqual(router.state, .signedOut)
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app,
            authenticator: BrowserAuthenticator(login: providerEmail, password: providerPassword),
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        router.follow(federatedSignIn: model)
        model.signIn(with: "Google")
        let user = try XCTUnwrap(try app.currentUser())
        XCTAssertEqual(router.state, .signedIn(user))
    }

    func testWrongProviderPasswordFails() throws {
        let app = try makeHostedApp(openid: try emulatorSettings())
        let browser = BrowserAuthenticator(login: providerEmail, password: "wrong horse")
        let model = FederatedSignInViewModel(
            providers: ["Google"], service: app, authenticator: browser,
            presentationQueue: sheetQueue, worker: InlineWorker()
        )
        model.signIn(with: "Google")
        XCTAssertEqual(model.state.phase, .idle)
        XCTAssertEqual(model.state.errorMessage, FederatedSignInViewModel.browserFailedMessage)
        XCTAssertEqual(browser.requestCount, BrowserAuthenticator.maxRequests)
        XCTAssertNil(try app.currentUser())
    }
}

final class WebAuthenticatorBrowserStepTests: XCTestCase {
    private let authorizeUrl = "https://id.example/authorize?state=s"

    func testRedirectIsPassedOn() throws {
        let landed = try XCTUnwrap(URL(string: "\(redirectUri)?code=abc&state=s"))
        let outcome = try browserStep(FakeAuthenticator(.success(landed)))
            .authorize(authorizeUrl: authorizeUrl, redirectUri: redirectUri)
        XCTAssertEqual(outcome, .redirected(url: landed.absoluteString))
    }

    func testFirstCompletionWins() throws {
        let landed = try XCTUnwrap(URL(string: "\(redirectUri)?code=abc&state=s"))
        let outcome = try browserStep(FakeAuthenticator(.failure(.cancelled), .success(landed)))
            .authorize(authorizeUrl: authorizeUrl, redirectUri: redirectUri)
        XCTAssertEqual(outcome, .cancelled)
    }

    func testRedirectWithoutSchemeFails() throws {
        let authenticator = FakeAuthenticator(.failure(.cancelled))
        let outcome = try browserStep(authenticator)
            .authorize(authorizeUrl: authorizeUrl, redirectUri: "callback")
        XCTAssertEqual(outcome, .failed(reason: "the redirect URI has no scheme"))
        XCTAssertNil(authenticator.shownUrl)
    }

    func testMainThreadCallFails() throws {
        try XCTSkipUnless(Thread.isMainThread, "XCTest ran this test off the main thread")
        let authenticator = FakeAuthenticator(.failure(.cancelled))
        let step = WebAuthenticatorBrowserStep(authenticator: authenticator, presentationQueue: .main)
        let outcome = try step.authorize(authorizeUrl: authorizeUrl, redirectUri: redirectUri)
        XCTAssertEqual(outcome, .failed(reason: "the browser step was called on the queue that shows the sheet"))
        XCTAssertNil(authenticator.shownUrl)
    }

    func testPresentationQueueCallFails() throws {
        let authenticator = FakeAuthenticator(.failure(.cancelled))
        let step = browserStep(authenticator)
        let outcome = try sheetQueue.sync {
            try step.authorize(authorizeUrl: authorizeUrl, redirectUri: redirectUri)
        }
        XCTAssertEqual(outcome, .failed(reason: "the browser step was called on the queue that shows the sheet"))
        XCTAssertNil(authenticator.shownUrl)
    }
}
