// The app target's entry point: builds the core for the brand in `Brand.json` with the
// Keychain secret store, and shows sign-in or the tabs as `SessionRouter` decides. Compiled
// only by Xcode; this folder is not part of the Swift package.

#if canImport(SwiftUI) && canImport(UIKit)
import SwiftUI
import WalkoutKit

@main
struct WalkoutShopperApp: App {
    private let core: WalkoutApp?
    private let brand: BrandSettings?
    private let router: SessionRouter?

    init() {
        let brand = Bundle.main.url(forResource: "Brand", withExtension: "json")
            .flatMap { try? Data(contentsOf: $0) }
            .flatMap { try? BrandSettings.decode($0) }
        self.brand = brand
        let core = brand.flatMap { try? Self.makeCore(brand: $0) }
        self.core = core
        self.router = core.map { SessionRouter(account: $0, worker: DispatchWorker()) }
    }

    var body: some Scene {
        WindowGroup {
            if let core, let brand, let router {
                SessionRootView(
                    router: router,
                    issuer: brand.displayName,
                    makeSignedOut: { Self.makeSignedOut(core: core, brand: brand, router: router) },
                    tabs: { _ in ShopperTabs(core: core, brand: brand, router: router) }
                )
            } else {
                Text("This app is not configured. Reinstall it, and contact support if this persists.")
            }
        }
    }

    /// Builds the sign-in, sign-up and provider view models of one signed-out visit. Provider
    /// buttons appear only when `Walkout.plist` sets the OpenID issuer, client and redirect URI.
    private static func makeSignedOut(
        core: WalkoutApp, brand: BrandSettings, router: SessionRouter
    ) -> SignedOutModels {
        let providers = FederatedProvider.list(brand: brand, openIdConfigured: hasOpenId())
        return SignedOutModels(
            signIn: SignInViewModel(auth: core, worker: DispatchWorker()),
            signUp: SignUpViewModel(auth: core, worker: DispatchWorker()),
            federated: FederatedSignInViewModel(
                providers: providers.map(\.name),
                service: core,
                authenticator: SystemWebAuthenticator(),
                worker: DispatchWorker()
            ),
            router: router
        )
    }

    private static func infoValue(_ key: String) -> String {
        (Bundle.main.infoDictionary?[key] as? String ?? "").trimmingCharacters(in: .whitespaces)
    }

    private static func hasOpenId() -> Bool {
        ["WalkoutOpenIdIssuer", "WalkoutOpenIdClientID", "WalkoutOpenIdRedirectURI"]
            .allSatisfy { !infoValue($0).isEmpty }
    }

    /// Reads the backend, Cognito and OpenID settings from the Info.plist keys in
    /// `Walkout.plist`.
    private static func makeCore(brand: BrandSettings) throws -> WalkoutApp {
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        var config = AppConfig(
            brandId: brand.id,
            backendUrl: infoValue("WalkoutBackendURL"),
            storageDir: support.path,
            cognitoRegion: infoValue("WalkoutCognitoRegion"),
            cognitoEndpointUrl: nil,
            cognitoUserPoolId: infoValue("WalkoutCognitoUserPoolID"),
            cognitoClientId: infoValue("WalkoutCognitoClientID"),
            pspApiBase: nil,
            pspPublishableKey: nil
        )
        if hasOpenId() {
            config.openid = OpenIdSettings(
                issuer: infoValue("WalkoutOpenIdIssuer"),
                clientId: infoValue("WalkoutOpenIdClientID"),
                redirectUri: infoValue("WalkoutOpenIdRedirectURI"),
                scopes: ["openid", "email", "profile"],
                identityProvider: nil
            )
        }
        let secrets = try KeychainSecretStore.system(brandId: brand.id, teamId: infoValue("WalkoutTeamID"))
        return try WalkoutApp(config: config, secretStore: secrets)
    }
}

/// The signed-in tabs. Their view models are made once per shopper, and the router follows
/// settings, so sign-out and account deletion return to sign-in.
private struct ShopperTabs: View {
    @StateObject private var models: TabModels
    private let core: WalkoutApp

    init(core: WalkoutApp, brand: BrandSettings, router: SessionRouter) {
        _models = StateObject(wrappedValue: TabModels(core: core, brand: brand, router: router))
        self.core = core
    }

    var body: some View {
        TabView {
            EntryCodeScreen(model: models.entry)
                .tabItem { Label("Enter", systemImage: "qrcode") }
            TripStatusScreen(model: models.trip)
                .tabItem { Label("Trip", systemImage: "cart") }
            OffersScreen(model: models.offers)
                .tabItem { Label("Offers", systemImage: "tag") }
            NavigationStack {
                ReceiptsScreen(model: models.receipts) { [core] id in
                    ReceiptDetailViewModel(receiptId: id, source: core, worker: DispatchWorker())
                }
            }
            .tabItem { Label("Receipts", systemImage: "doc.text") }
            WalletScreen(model: models.wallet)
                .tabItem { Label("Wallet", systemImage: "creditcard") }
            SettingsScreen(model: models.settings)
                .tabItem { Label("Settings", systemImage: "gearshape") }
        }
    }
}

private final class TabModels: ObservableObject {
    let entry: EntryCodeViewModel
    let trip: TripStatusViewModel
    let offers: OffersViewModel
    let receipts: ReceiptsViewModel
    let wallet: WalletViewModel
    let settings: SettingsViewModel

    init(core: WalkoutApp, brand: BrandSettings, router: SessionRouter) {
        entry = EntryCodeViewModel(
            source: core, clock: SystemClock(), worker: DispatchWorker(),
            fullBrightness: brand.entryFullBrightness)
        trip = TripStatusViewModel(source: core, worker: DispatchWorker())
        offers = OffersViewModel(service: core, worker: DispatchWorker())
        receipts = ReceiptsViewModel(source: core, worker: DispatchWorker())
        wallet = WalletViewModel(wallet: core, worker: DispatchWorker())
        settings = SettingsViewModel(account: core, worker: DispatchWorker())
        router.follow(settings: settings)
    }
}
#endif
