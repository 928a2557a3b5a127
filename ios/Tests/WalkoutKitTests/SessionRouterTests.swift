// The root routing between sign-in and the tabs: the stored session at start-up, then the
// outcomes of sign-in, hosted sign-in and settings. Sign-in and sign-out run through the real
// core against moto. Account deletion goes through a fake, because moto 5.2.6 does not
// implement `DeleteUser`.

import XCTest
@testable import WalkoutKit

private let shopper = CurrentUser(
    sub: "sub-1", username: "sub-1", email: "a@example.com", emailVerified: true
)

/// An account service whose session and results are set by the test.
private final class FakeAccount: AccountService {
    var user: CurrentUser?
    var readError: Error?
    var deleteError: Error?

    func currentUser() throws -> CurrentUser? {
        if let readError { throw readError }
        return user
    }

    func signOut() throws -> SignOutOutcome {
        user = nil
        return SignOutOutcome(globalSignOut: true, refreshTokenRevoked: true, revocationsPending: 0)
    }

    func deleteAccount() throws {
        if let deleteError { throw deleteError }
        user = nil
    }
}

/// A hosted sign-in that returns `user` without showing a sheet.
private final class FakeFederatedService: FederatedSignInService {
    let user: CurrentUser

    init(user: CurrentUser) {
        self.user = user
    }

    func signInHosted(browser: BrowserStep, identityProvider: String?, redirectUri: String?) throws -> CurrentUser {
        user
    }
}

/// A sheet that is never expected to be shown.
private final class UnusedAuthenticator: WebAuthenticator {
    func authenticate(url: URL, callbackScheme: String, completion: @escaping (Result<URL, WebAuthenticationError>) -> Void) {
        completion(.failure(.failed))
    }
}

final class SessionRouterTests: XCTestCase {
    func testStartWithoutSessionShowsSignIn() {
        let router = SessionRouter(account: FakeAccount(), worker: InlineWorker())
        XCTAssertEqual(router.state, .loading)
        router.start()
        XCTAssertEqual(router.state, .signedOut)
    }

    func testStartWithSessionShowsTabs() {
        let account = FakeAccount()
        account.user = shopper
        let router = SessionRouter(account: account, worker: InlineWorker())
        router.start()
        XCTAssertEqual(router.state, .signedIn(shopper))
    }

    func testUnreadableSessionShowsSignIn() {
        let account = FakeAccount()
        account.readError = WalkoutFfiError.Storage
        let router = SessionRouter(account: account, worker: InlineWorker())
        router.start()
        XCTAssertEqual(router.state, .signedOut)
    }

    func testSignInThenSignOutRoundTrip() throws {
        let app = try makeApp(try TestServices.require())
        let email = try signUpShopper(app)
        let router = SessionRouter(account: app, worker: InlineWorker())
        router.start()
        XCTAssertEqual(router.state, .signedOut)

        let signIn = SignInViewModel(auth: app, worker: InlineWorker())
        router.follow(signIn: signIn)
        signIn.setEmail(email)
        signIn.setPassword(testPassword)
        signIn.signIn()
        let user = try XCTUnwrap(try app.currentUser())
        XCTAssertEqual(router.state, .signedIn(user))

        let settings = SettingsViewModel(account: app, worker: InlineWorker())
        router.follow(settings: settings)
        settings.appear()
        XCTAssertEqual(router.state, .signedIn(user))
        settings.signOut()
        XCTAssertEqual(router.state, .signedOut)
        XCTAssertNil(try app.currentUser())
    }

    func testAccountDeletionShowsSignIn() {
        let account = FakeAccount()
        account.user = shopper
        let router = SessionRouter(account: account, worker: InlineWorker())
        router.start()
        let settings = SettingsViewModel(account: account, worker: InlineWorker())
        router.follow(settings: settings)
        settings.appear()

        settings.deleteAccount()
        XCTAssertEqual(router.state, .signedIn(shopper), "the first tap only asks to confirm")
        settings.deleteAccount()
        XCTAssertEqual(router.state, .signedOut)
    }

    func testFailedDeletionKeepsTabs() {
        let account = FakeAccount()
        account.user = shopper
        account.deleteError = WalkoutFfiError.Offline(retryAfterSeconds: nil)
        let router = SessionRouter(account: account, worker: InlineWorker())
        router.start()
        let settings = SettingsViewModel(account: account, worker: InlineWorker())
        router.follow(settings: settings)
        settings.deleteAccount()
        settings.deleteAccount()
        XCTAssertEqual(router.state, .signedIn(shopper))
        XCTAssertNotNil(settings.state.errorMessage)
    }

    func testHostedSignInShowsTabs() {
        let router = SessionRouter(account: FakeAccount(), worker: InlineWorker())
        router.start()
        let federated = FederatedSignInViewModel(
            providers: ["Google"], service: FakeFederatedService(user: shopper),
            authenticator: UnusedAuthenticator(),
            presentationQueue: DispatchQueue(label: "walkout.tests.router-sheet"), worker: InlineWorker()
        )
        router.follow(federatedSignIn: federated)
        federated.signIn(with: "Google")
        XCTAssertEqual(router.state, .signedIn(shopper))
    }

    func testScreenCallbackStillCalled() {
        let router = SessionRouter(account: FakeAccount(), worker: InlineWorker())
        let signIn = SignInViewModel(auth: ScriptedAuthService(steps: [.signedIn(user: shopper)]), worker: InlineWorker())
        var phases: [SignInState.Phase] = []
        signIn.onChange = { phases.append($0.phase) }
        router.follow(signIn: signIn)
        signIn.signIn()
        XCTAssertEqual(phases, [.working, .signedIn(shopper)])
        XCTAssertEqual(router.state, .signedIn(shopper))
    }
}
