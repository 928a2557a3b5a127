// The current trip's state after the shopper walks out, and what to fix when the gate denied
// entry. Gate denials reach the app as `entry-denied` server-sent events with a problem slug.

import Foundation

/// The shopper's latest trip, from the backend or as last stored.
public protocol TripStatusSource: AnyObject {
    /// Fetches the latest trip from the backend; nil when the shopper has none.
    func currentTrip() throws -> Trip?
    /// Returns the latest trip as last stored on the device, without a network call.
    func cachedTrip() throws -> Trip?
}

public struct TripStatusState: Equatable {
    public var trip: Trip?
    /// The advice shown after the gate denied entry.
    public var denialMessage: String?
    public var errorMessage: String?
}

public final class TripStatusViewModel: ViewModel<TripStatusState> {
    private let source: TripStatusSource
    private let worker: Worker

    public init(source: TripStatusSource, worker: Worker) {
        self.source = source
        self.worker = worker
        super.init(state: TripStatusState())
    }

    /// Shows the stored trip, then fetches the current one from the backend.
    public func appear() {
        let source = self.source
        worker.perform({ try source.cachedTrip() }) { [weak self] result in
            if case .success(let trip) = result {
                self?.update { $0.trip = trip }
            }
        }
        refresh()
    }

    /// Fetches the current trip from the backend. Call it on every `trip-updated` event.
    public func refresh() {
        let source = self.source
        worker.perform({ try source.currentTrip() }) { [weak self] result in
            self?.update {
                switch result {
                case .success(let trip):
                    $0.trip = trip
                    $0.errorMessage = nil
                case .failure(let error):
                    $0.errorMessage = errorMessage(for: error)
                }
            }
        }
    }

    /// Shows what to fix after an `entry-denied` event with `slug`.
    public func entryDenied(slug: String) {
        update { $0.denialMessage = Self.denialMessage(slug: slug) }
    }

    public func dismissDenial() {
        update { $0.denialMessage = nil }
    }

    /// Returns the advice for a gate denial slug, or a general sentence for an unknown slug.
    static func denialMessage(slug: String) -> String {
        switch slug {
        case "no-payment-method":
            return "Add a card in Wallet, then scan again."
        case "card-expired":
            return "Your card has expired. Add a new card in Wallet, then scan again."
        case "outstanding-balance":
            return "Pay the amount you owe in Wallet, then scan again."
        case "hold-declined":
            return "Your card was declined. Use another card in Wallet, then scan again."
        case "hold-timeout":
            return "Your bank did not answer in time. Please scan again."
        case "malformed-code", "bad-tag", "code-expired":
            return "That code could not be read. Scan the code on screen again."
        case "unknown-credential", "credential-revoked", "credential-expired":
            return "Your entry code needs renewing. Connect to the internet and open it again."
        case "store-mismatch":
            return "This code was already used at another store. Wait for a new code."
        case "group-limit-reached":
            return "This code has admitted its full group. Wait for a new code."
        case "velocity-limit":
            return "Too many entries in a short time. Please ask a member of staff."
        case "account-inactive":
            return "Your account cannot enter stores now. Please contact support."
        default:
            return "Entry was refused. Please ask a member of staff."
        }
    }
}
