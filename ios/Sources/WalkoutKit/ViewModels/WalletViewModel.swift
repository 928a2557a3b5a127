// Saved cards and the outstanding balance. The card form's number and CVC go straight to
// the core, which sends them only to the payment provider's tokenization endpoint. The state
// drops them as soon as the card is saved, and never puts them in an error message.

import Foundation

public struct CardForm: Equatable {
    public var number = ""
    public var expMonth: UInt32 = 0
    public var expYear: UInt32 = 0
    public var cvc = ""
    /// Brand detected from the number so far, such as `visa`.
    public var detectedBrand: String?
    /// The form field that failed the last check: `number`, `exp_month`, `exp_year` or `cvc`.
    public var invalidField: String?

    public init() {}
}

public struct WalletState: Equatable {
    public var cards: [Card] = []
    /// The amount owed after failed payments; nil until loaded.
    public var balance: Balance?
    public var form = CardForm()
    public var isWorking = false
    public var errorMessage: String?
}

public final class WalletViewModel: ViewModel<WalletState> {
    private let wallet: WalletService
    private let worker: Worker

    public init(wallet: WalletService, worker: Worker) {
        self.wallet = wallet
        self.worker = worker
        super.init(state: WalletState())
    }

    /// Shows the cards as last listed, then lists them and the balance from the backend.
    public func appear() {
        let wallet = self.wallet
        worker.perform({ try wallet.cachedCards() }) { [weak self] result in
            if case .success(let cards) = result {
                self?.update { $0.cards = cards }
            }
        }
        perform({ (try wallet.cards(), try wallet.balance()) }) { state, loaded in
            state.cards = loaded.0
            state.balance = loaded.1
        }
    }

    public func setForm(_ form: CardForm) {
        update { $0.form = form }
    }

    /// Checks the form without sending anything, to show the brand and the first bad field.
    public func checkForm() {
        let wallet = self.wallet
        let form = state.form
        worker.perform({
            try wallet.checkCard(number: form.number, expMonth: form.expMonth, expYear: form.expYear, cvc: form.cvc)
        }) { [weak self] result in
            self?.update {
                switch result {
                case .success(let brand):
                    $0.form.detectedBrand = brand
                    $0.form.invalidField = nil
                case .failure(let error):
                    $0.form.invalidField = Self.invalidField(error)
                }
            }
        }
    }

    /// Tokenizes and saves the card in the form, then clears the form.
    public func addCard() {
        let wallet = self.wallet
        let form = state.form
        perform({
            _ = try wallet.addCard(number: form.number, expMonth: form.expMonth, expYear: form.expYear, cvc: form.cvc)
            return try wallet.cards()
        }) { state, cards in
            state.cards = cards
            state.form = CardForm()
        }
    }

    public func setDefault(cardId: String) {
        let wallet = self.wallet
        perform({
            try wallet.setDefaultCard(id: cardId)
            return try wallet.cards()
        }) { state, cards in state.cards = cards }
    }

    public func remove(cardId: String) {
        let wallet = self.wallet
        perform({
            try wallet.removeCard(id: cardId)
            return try wallet.cards()
        }) { state, cards in state.cards = cards }
    }

    /// Charges the outstanding balance to the default card.
    public func payBalance() {
        let wallet = self.wallet
        perform({ try wallet.payBalance() }) { state, balance in state.balance = balance }
    }

    /// Runs `call` with `isWorking` set, then applies its value or shows its error.
    private func perform<Value>(
        _ call: @escaping () throws -> Value,
        apply: @escaping (inout WalletState, Value) -> Void
    ) {
        update {
            $0.isWorking = true
            $0.errorMessage = nil
        }
        worker.perform(call) { [weak self] result in
            self?.update {
                $0.isWorking = false
                switch result {
                case .success(let value):
                    apply(&$0, value)
                case .failure(let error):
                    $0.errorMessage = errorMessage(for: error)
                    $0.form.invalidField = Self.invalidField(error)
                }
            }
        }
    }

    private static func invalidField(_ error: Error) -> String? {
        if case .InvalidInput(let field, _) = error as? WalkoutFfiError {
            return field
        }
        return nil
    }
}
