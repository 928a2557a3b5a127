// Wallet and settings view models through the real core, the service and its sandbox PSP.
// Account deletion runs over a fake, because moto 5.2.6 does not implement DeleteUser.

import XCTest
@testable import WalkoutKit

final class WalletViewModelTests: XCTestCase {
    private func signedInApp() throws -> WalkoutApp {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        return app
    }

    private func form(number: String) -> CardForm {
        var form = CardForm()
        form.number = number
        form.expMonth = 12
        form.expYear = 2040
        form.cvc = "123"
        return form
    }

    func testAddedCardIsListedAndFormCleared() throws {
        let model = WalletViewModel(wallet: try signedInApp(), worker: InlineWorker())
        model.appear()
        model.setForm(form(number: sandboxVisa))
        model.addCard()
        XCTAssertNil(model.state.errorMessage)
        XCTAssertEqual(model.state.cards.map(\.last4), ["4242"])
        XCTAssertEqual(model.state.form, CardForm())
    }

    func testInvalidNumberNamesField() throws {
        let model = WalletViewModel(wallet: try signedInApp(), worker: InlineWorker())
        model.setForm(form(number: "4242424242424241"))
        model.checkForm()
        XCTAssertEqual(model.state.form.invalidField, "number")
    }

    func testBrandIsDetectedFromNumber() throws {
        let model = WalletViewModel(wallet: try signedInApp(), worker: InlineWorker())
        model.setForm(form(number: sandboxVisa))
        model.checkForm()
        XCTAssertNil(model.state.form.invalidField)
        XCTAssertNotNil(model.state.form.detectedBrand)
    }

    func testRemovedCardLeavesList() throws {
        let model = WalletViewModel(wallet: try signedInApp(), worker: InlineWorker())
        model.setForm(form(number: sandboxVisa))
        model.addCard()
        let card = try XCTUnwrap(model.state.cards.first)
        model.remove(cardId: card.id)
        XCTAssertEqual(model.state.cards, [])
    }

    func testNewShopperBalanceIsSettled() throws {
        let model = WalletViewModel(wallet: try signedInApp(), worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.balance?.isSettled, true)
        XCTAssertEqual(model.state.balance?.outstanding.amountMinor, 0)
    }
}

final class SettingsViewModelTests: XCTestCase {
    func testSignedInShopperIsShown() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = SettingsViewModel(account: app, worker: InlineWorker())
        model.appear()
        guard case .signedIn(let user) = model.state.phase else {
            return XCTFail("expected signedIn, got \(model.state.phase)")
        }
        XCTAssertEqual(try app.currentUser(), user)
    }

    func testSignOutEndsSession() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = SettingsViewModel(account: app, worker: InlineWorker())
        model.appear()
        model.signOut()
        XCTAssertEqual(model.state.phase, .signedOut)
        XCTAssertNil(try app.currentUser())
    }

    func testDeletionNeedsSecondTap() {
        let account = FakeAccountService()
        let model = SettingsViewModel(account: account, worker: InlineWorker())
        model.appear()
        model.deleteAccount()
        XCTAssertTrue(model.state.confirmingDeletion)
        XCTAssertEqual(account.deletions, 0)
        model.deleteAccount()
        XCTAssertEqual(account.deletions, 1)
        XCTAssertEqual(model.state.phase, .signedOut)
    }

    func testFailedDeletionKeepsShopperSignedIn() {
        let account = FakeAccountService()
        account.deleteError = WalkoutFfiError.Offline(retryAfterSeconds: nil)
        let model = SettingsViewModel(account: account, worker: InlineWorker())
        model.appear()
        model.deleteAccount()
        model.deleteAccount()
        XCTAssertEqual(model.state.phase, .signedIn(account.user))
        XCTAssertEqual(model.state.errorMessage, account.deleteError.map(errorMessage(for:)))
        XCTAssertFalse(model.state.confirmingDeletion)
    }
}

/// A fake signed-in account that counts deletions.
private final class FakeAccountService: AccountService {
    let user = CurrentUser(sub: "sub-1", username: "sub-1", email: "a@example.com", emailVerified: true)
    var deleteError: Error?
    private(set) var deletions = 0

    func currentUser() throws -> CurrentUser? { user }

    func signOut() throws -> SignOutOutcome {
        SignOutOutcome(globalSignOut: true, refreshTokenRevoked: true, revocationsPending: 0)
    }

    func deleteAccount() throws {
        if let deleteError { throw deleteError }
        deletions += 1
    }
}
