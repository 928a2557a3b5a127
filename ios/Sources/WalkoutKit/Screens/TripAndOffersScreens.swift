// Trip status and offers screens. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import SwiftUI

public struct TripStatusScreen: View {
    @StateObject private var observed: ObservedModel<TripStatusState, TripStatusViewModel>

    public init(model: TripStatusViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        List {
            if let advice = observed.state.denialMessage {
                Section {
                    Text(advice)
                    Button("OK") { observed.model.dismissDenial() }
                }
            }
            if let trip = observed.state.trip {
                Section {
                    Text(Self.title(of: trip.state)).bold()
                    Text(trip.storeId).font(.caption)
                    Text(trip.updatedAt).font(.caption)
                    if let owed = trip.outstanding {
                        Text("You owe \(formatMoney(owed)). Pay it in Wallet.")
                            .foregroundColor(Color("BrandError"))
                    }
                }
            } else {
                Text("No trips yet. Scan your entry code at a store's gate.")
            }
            if let message = observed.state.errorMessage {
                Text(message).font(.footnote)
            }
        }
        .refreshable { observed.model.refresh() }
        .onAppear { observed.model.appear() }
    }

    /// Returns the heading for a trip in `state`.
    static func title(of state: TripState) -> String {
        switch state {
        case .entered, .unknown:
            return "You are in the store"
        case .cartReceived:
            return "Working out your total"
        case .charged:
            return "Paid; your receipt is on its way"
        case .paymentFailed:
            return "Payment failed"
        case .receiptReady:
            return "Your receipt is ready"
        case .closedEmpty:
            return "You left without taking anything"
        }
    }
}

public struct OffersScreen: View {
    @StateObject private var observed: ObservedModel<OffersState, OffersViewModel>

    public init(model: OffersViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        List {
            Section {
                Toggle("Offers picked for me", isOn: Binding(
                    get: { observed.state.optedIn ?? false },
                    set: { observed.model.setConsent($0) }))
                    .disabled(observed.state.optedIn == nil)
                Text("Uses what you buy to pick offers for you. You can turn this off at any time.")
                    .font(.caption)
            }
            Section {
                if observed.state.offers.isEmpty {
                    Text("No offers right now.")
                }
                ForEach(observed.state.offers, id: \.offerId) { offer in
                    OfferRow(offer: offer) { observed.model.activate(offerId: offer.offerId) }
                }
            }
            if let message = observed.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
        .onAppear { observed.model.appear() }
    }
}

private struct OfferRow: View {
    let offer: Offer
    let activate: () -> Void

    var body: some View {
        VStack(alignment: .leading) {
            Text(offer.title).bold()
            if !offer.description.isEmpty {
                Text(offer.description)
            }
            if let reason = offer.reason {
                Text(reason).font(.caption)
            }
            if offer.redeemed {
                Text("Used").font(.caption)
            } else if offer.activated {
                Label("Applies to your next visit", systemImage: "checkmark").font(.caption)
            } else {
                Button("Activate", action: activate)
            }
        }
    }
}
#endif
