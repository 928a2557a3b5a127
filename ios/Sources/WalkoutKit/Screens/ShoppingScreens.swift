// Receipts and wallet screens. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import SwiftUI

/// Formats integer minor units with the currency's own digits; never through floating point
/// arithmetic on the amount itself.
func formatMoney(_ money: Money) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .currency
    formatter.currencyCode = money.currency
    let digits = formatter.maximumFractionDigits
    var divisor = Decimal(1)
    for _ in 0..<digits { divisor *= 10 }
    let amount = Decimal(money.amountMinor) / divisor
    return formatter.string(from: amount as NSDecimalNumber) ?? "\(money.amountMinor) \(money.currency)"
}

public struct ReceiptsScreen: View {
    @StateObject private var observed: ObservedModel<ReceiptsState, ReceiptsViewModel>
    private let detail: (String) -> ReceiptDetailViewModel

    public init(model: ReceiptsViewModel, detail: @escaping (String) -> ReceiptDetailViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
        self.detail = detail
    }

    public var body: some View {
        List {
            if let message = observed.state.errorMessage {
                Text(message).font(.footnote)
            }
            ForEach(observed.state.receipts, id: \.receiptId) { receipt in
                NavigationLink(destination: ReceiptDetailScreen(model: detail(receipt.receiptId))) {
                    VStack(alignment: .leading) {
                        Text(receipt.storeName)
                        Text(receipt.dateTime).font(.caption)
                    }
                    Spacer()
                    Text(formatMoney(receipt.total))
                }
                .onAppear {
                    if receipt.receiptId == observed.state.receipts.last?.receiptId {
                        observed.model.loadMore()
                    }
                }
            }
        }
        .refreshable { observed.model.refresh() }
        .onAppear { observed.model.appear() }
    }
}

public struct ReceiptDetailScreen: View {
    @StateObject private var observed: ObservedModel<ReceiptDetailState, ReceiptDetailViewModel>

    public init(model: ReceiptDetailViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        List {
            switch observed.state.phase {
            case .loading:
                ProgressView()
            case .notFound:
                Text("This receipt is not on this device.")
            case .failed(let message):
                Text(message)
            case .loaded(let receipt):
                ForEach(receipt.lines, id: \.lineNumber) { line in
                    HStack {
                        Text("\(line.quantity) × \(line.description)")
                        Spacer()
                        Text(formatMoney(line.amount))
                    }
                }
                HStack {
                    Text("Total").bold()
                    Spacer()
                    Text(formatMoney(receipt.totals.grand)).bold()
                }
            }
        }
        .onAppear { observed.model.appear() }
    }
}

public struct WalletScreen: View {
    @StateObject private var observed: ObservedModel<WalletState, WalletViewModel>

    public init(model: WalletViewModel) {
        _observed = StateObject(wrappedValue: ObservedModel(model))
    }

    public var body: some View {
        List {
            if let balance = observed.state.balance, !balance.isSettled {
                Button("Pay \(formatMoney(balance.outstanding))") { observed.model.payBalance() }
            }
            ForEach(observed.state.cards, id: \.id) { card in
                HStack {
                    Text("\(card.brand) •••• \(card.last4)")
                    if card.isDefault { Image(systemName: "checkmark") }
                }
                .swipeActions { Button("Remove", role: .destructive) { observed.model.remove(cardId: card.id) } }
                .onTapGesture { observed.model.setDefault(cardId: card.id) }
            }
            if let message = observed.state.errorMessage {
                Text(message).foregroundColor(Color("BrandError"))
            }
        }
        .disabled(observed.state.isWorking)
        .onAppear { observed.model.appear() }
    }
}
#endif
