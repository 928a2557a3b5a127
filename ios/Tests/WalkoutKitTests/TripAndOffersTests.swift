// Trip status and offers over the real core, and over fakes where the state needs a whole
// store visit or an offer set up by the retailer (a failed payment, an offer to activate).

import XCTest
@testable import WalkoutKit

private final class FakeTripSource: TripStatusSource {
    var trip: Trip?

    func currentTrip() throws -> Trip? {
        trip
    }

    func cachedTrip() throws -> Trip? {
        nil
    }
}

private func makeOffer(_ id: String, activated: Bool) -> Offer {
    Offer(
        offerId: id, kind: .general, storeId: nil, title: "2 for 1", description: "Tea",
        activeTo: nil, activated: activated, redeemed: false, reason: nil
    )
}

private final class FakeOffersService: OffersService {
    var granted = false
    var all = [makeOffer("o1", activated: false)]

    func consent() throws -> Consent {
        Consent(granted: granted, history: [])
    }

    func setConsent(granted: Bool) throws -> Consent {
        self.granted = granted
        return try consent()
    }

    func offers() throws -> [Offer] { all }

    func cachedOffers() throws -> [Offer] { [] }

    func activateOffer(offerId: String) throws -> Offer {
        guard let index = all.firstIndex(where: { $0.offerId == offerId }) else {
            throw WalkoutFfiError.Denied(reasonSlug: "not-found")
        }
        all[index].activated = true
        return all[index]
    }
}

final class TripStatusViewModelTests: XCTestCase {
    func testNewShopperHasNoTrip() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = TripStatusViewModel(source: app, worker: InlineWorker())
        model.appear()
        XCTAssertNil(model.state.trip)
        XCTAssertNil(model.state.errorMessage)
    }

    func testFailedPaymentShowsOutstanding() {
        let source = FakeTripSource()
        let owed = Money(amountMinor: 1234, currency: "GBP")
        source.trip = Trip(
            tripId: "t1", storeId: "UK-LON-001", state: .paymentFailed, isTest: false,
            enteredAt: "2026-12-04T10:00:00Z", updatedAt: "2026-12-04T10:05:00Z",
            receiptId: nil, outstanding: owed
        )
        let model = TripStatusViewModel(source: source, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.trip?.state, .paymentFailed)
        XCTAssertEqual(model.state.trip?.outstanding, owed)
    }

    func testEveryDenialSlugHasOwnAdvice() {
        let slugs = [
            "malformed-code", "unknown-credential", "credential-revoked", "credential-expired",
            "code-expired", "bad-tag", "store-mismatch", "group-limit-reached", "account-inactive",
            "no-payment-method", "card-expired", "outstanding-balance", "velocity-limit",
            "hold-declined", "hold-timeout",
        ]
        let general = TripStatusViewModel.denialMessage(slug: "something-new")
        for slug in slugs {
            XCTAssertNotEqual(TripStatusViewModel.denialMessage(slug: slug), general, slug)
        }
    }

    func testDenialIsShownUntilDismissed() {
        let model = TripStatusViewModel(source: FakeTripSource(), worker: InlineWorker())
        model.entryDenied(slug: "outstanding-balance")
        XCTAssertEqual(model.state.denialMessage, "Pay the amount you owe in Wallet, then scan again.")
        model.dismissDenial()
        XCTAssertNil(model.state.denialMessage)
    }
}

final class OffersViewModelTests: XCTestCase {
    func testNewShopperIsOptedOut() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = OffersViewModel(service: app, worker: InlineWorker())
        model.appear()
        XCTAssertEqual(model.state.optedIn, false)
        XCTAssertNil(model.state.errorMessage)
    }

    func testOptingInIsStored() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = OffersViewModel(service: app, worker: InlineWorker())
        model.appear()
        model.setConsent(true)
        XCTAssertEqual(model.state.optedIn, true)
        XCTAssertEqual(try app.consent().granted, true)
    }

    func testOptingOutIsStored() throws {
        let app = try makeApp(try TestServices.require())
        try signInNewShopper(app)
        let model = OffersViewModel(service: app, worker: InlineWorker())
        model.setConsent(true)
        model.setConsent(false)
        XCTAssertEqual(model.state.optedIn, false)
        XCTAssertEqual(try app.consent().granted, false)
    }

    func testActivatedOfferIsReplaced() {
        let service = FakeOffersService()
        let model = OffersViewModel(service: service, worker: InlineWorker())
        model.appear()
        model.activate(offerId: "o1")
        XCTAssertEqual(model.state.offers, [makeOffer("o1", activated: true)])
    }

    func testUnknownOfferShowsError() {
        let model = OffersViewModel(service: FakeOffersService(), worker: InlineWorker())
        model.appear()
        model.activate(offerId: "missing")
        XCTAssertEqual(model.state.errorMessage, WalkoutFfiError.Denied(reasonSlug: "not-found").description)
        XCTAssertEqual(model.state.offers, [makeOffer("o1", activated: false)])
    }
}
