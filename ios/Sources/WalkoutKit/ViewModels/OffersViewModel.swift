// Offers and the consent to targeted offers. General offers are listed for every shopper;
// targeted ones only after the shopper opts in, and a shopper is opted out until then.

import Foundation

/// Consent and offers, as `WalkoutApp` exports them.
public protocol OffersService: AnyObject {
    func consent() throws -> Consent
    func setConsent(granted: Bool) throws -> Consent
    func offers() throws -> [Offer]
    func cachedOffers() throws -> [Offer]
    func activateOffer(offerId: String) throws -> Offer
}

public struct OffersState: Equatable {
    /// The shopper's consent to targeted offers; nil until fetched.
    public var optedIn: Bool?
    public var offers: [Offer] = []
    public var errorMessage: String?
}

public final class OffersViewModel: ViewModel<OffersState> {
    private let service: OffersService
    private let worker: Worker

    public init(service: OffersService, worker: Worker) {
        self.service = service
        self.worker = worker
        super.init(state: OffersState())
    }

    /// Shows the offers as last fetched, then fetches the consent and the offers.
    public func appear() {
        let service = self.service
        worker.perform({ try service.cachedOffers() }) { [weak self] result in
            if case .success(let offers) = result {
                self?.update { $0.offers = offers }
            }
        }
        run({ () -> (Consent, [Offer]) in
            (try service.consent(), try service.offers())
        }) { state, loaded in
            state.optedIn = loaded.0.granted
            state.offers = loaded.1
        }
    }

    /// Records the shopper's choice, then fetches the offers it allows.
    public func setConsent(_ granted: Bool) {
        let service = self.service
        run({ () -> (Consent, [Offer]) in
            let consent = try service.setConsent(granted: granted)
            return (consent, try service.offers())
        }) { state, loaded in
            state.optedIn = loaded.0.granted
            state.offers = loaded.1
        }
    }

    /// Activates an offer for the shopper's next purchase.
    public func activate(offerId: String) {
        let service = self.service
        run({ () -> Offer in
            try service.activateOffer(offerId: offerId)
        }) { state, activated in
            if let index = state.offers.firstIndex(where: { $0.offerId == activated.offerId }) {
                state.offers[index] = activated
            }
        }
    }

    private func run<Value>(
        _ call: @escaping () throws -> Value,
        apply: @escaping (inout OffersState, Value) -> Void
    ) {
        worker.perform(call) { [weak self] result in
            self?.update {
                switch result {
                case .success(let value):
                    $0.errorMessage = nil
                    apply(&$0, value)
                case .failure(let error):
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }
}
