// The parts of `WalkoutApp` that each view model uses, one protocol per screen, so a view
// model states what it calls. `WalkoutApp` conforms to every protocol whose methods the
// bindings export, with the methods it already has.

import Foundation

/// Sign-up, sign-in and its follow-up steps.
public protocol AuthService: AnyObject {
    func signUp(email: String, password: String) throws -> SignUpOutcome
    func confirmSignUp(email: String, code: String) throws
    func resendCode(email: String) throws -> CodeDelivery?
    func signInStart(email: String, password: String) throws -> SignInStep
    func signInRespond(response: SignInResponse) throws -> SignInStep
    func forgotPassword(email: String) throws -> CodeDelivery?
    func confirmForgotPassword(email: String, code: String, newPassword: String) throws
}

/// The entry credential and the rotating entry code.
public protocol EntryCodeSource: AnyObject {
    func ensureEntryCredential() throws -> EntryCredentialInfo
    func entryCredential() throws -> EntryCredentialInfo?
    func entryCode() throws -> EntryCode
}

/// Receipt sync and offline receipt reads.
public protocol ReceiptSource: AnyObject {
    func syncReceipts() throws -> SyncReport
    func receipts(limit: UInt32, before: String?) throws -> [ReceiptSummary]
    func receipt(receiptId: String) throws -> ReceiptDetail?
}

/// Saved cards and the outstanding balance.
public protocol WalletService: AnyObject {
    func checkCard(number: String, expMonth: UInt32, expYear: UInt32, cvc: String) throws -> String?
    func addCard(number: String, expMonth: UInt32, expYear: UInt32, cvc: String) throws -> Card
    func cards() throws -> [Card]
    func cachedCards() throws -> [Card]
    func setDefaultCard(id: String) throws
    func removeCard(id: String) throws
    func balance() throws -> Balance
    func payBalance() throws -> Balance
}

/// The signed-in account.
public protocol AccountService: AnyObject {
    func currentUser() throws -> CurrentUser?
    func signOut() throws -> SignOutOutcome
    func deleteAccount() throws
}

extension WalkoutApp: AuthService {}
extension WalkoutApp: EntryCodeSource {}
extension WalkoutApp: ReceiptSource {}
extension WalkoutApp: WalletService {}
extension WalkoutApp: AccountService {}
extension WalkoutApp: TripStatusSource {}
extension WalkoutApp: OffersService {}
extension WalkoutApp: FederatedSignInService {}
