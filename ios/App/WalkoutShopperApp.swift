// The app target's entry point: builds the core for the brand in `Brand.json` with the
// Keychain secret store, and shows the shell's screens. Compiled only by Xcode; this folder is
// not part of the Swift package.

#if canImport(SwiftUI) && canImport(UIKit)
import SwiftUI
import WalkoutKit

@main
struct WalkoutShopperApp: App {
    private let core: WalkoutApp?
    private let brand: BrandSettings?

    init() {
        let brand = Bundle.main.url(forResource: "Brand", withExtension: "json")
            .flatMap { try? Data(contentsOf: $0) }
            .flatMap { try? BrandSettings.decode($0) }
        self.brand = brand
        self.core = brand.flatMap { try? Self.makeCore(brand: $0) }
    }

    var body: some Scene {
        WindowGroup {
            if let core, let brand {
                TabView {
                    EntryCodeScreen(model: EntryCodeViewModel(
                        source: core, clock: SystemClock(), worker: DispatchWorker(),
                        fullBrightness: brand.entryFullBrightness))
                        .tabItem { Label("Enter", systemImage: "qrcode") }
                    TripStatusScreen(model: TripStatusViewModel(source: core, worker: DispatchWorker()))
                        .tabItem { Label("Trip", systemImage: "cart") }
                    OffersScreen(model: OffersViewModel(service: core, worker: DispatchWorker()))
                        .tabItem { Label("Offers", systemImage: "tag") }
                    NavigationStack {
                        ReceiptsScreen(model: ReceiptsViewModel(source: core, worker: DispatchWorker())) { id in
                            ReceiptDetailViewModel(receiptId: id, source: core, worker: DispatchWorker())
                        }
                    }
                    .tabItem { Label("Receipts", systemImage: "doc.text") }
                    WalletScreen(model: WalletViewModel(wallet: core, worker: DispatchWorker()))
                        .tabItem { Label("Wallet", systemImage: "creditcard") }
                    SettingsScreen(model: SettingsViewModel(account: core, worker: DispatchWorker()))
                        .tabItem { Label("Settings", systemImage: "gearshape") }
                }
            } else {
                Text("This app is not configured. Reinstall it, and contact support if this persists.")
            }
        }
    }

    /// Reads the backend and Cognito settings from the Info.plist keys in `Walkout.plist`.
    private static func makeCore(brand: BrandSettings) throws -> WalkoutApp {
        let info = Bundle.main.infoDictionary ?? [:]
        func value(_ key: String) -> String { info[key] as? String ?? "" }
        let support = try FileManager.default.url(
            for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        let config = AppConfig(
            brandId: brand.id,
            backendUrl: value("WalkoutBackendURL"),
            storageDir: support.path,
            cognitoRegion: value("WalkoutCognitoRegion"),
            cognitoEndpointUrl: nil,
            cognitoUserPoolId: value("WalkoutCognitoUserPoolID"),
            cognitoClientId: value("WalkoutCognitoClientID"),
            pspApiBase: nil,
            pspPublishableKey: nil
        )
        let secrets = try KeychainSecretStore.system(brandId: brand.id, teamId: value("WalkoutTeamID"))
        return try WalkoutApp(config: config, secretStore: secrets)
    }
}
#endif
