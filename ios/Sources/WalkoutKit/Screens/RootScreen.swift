// The app's root view: what `SessionRouter` decides, shown. Signed out, it shows sign-in or
// sign-up with view models made for that visit. Signed in, it shows the app's tabs for that
// shopper. Apple platforms only; not compiled on Linux.

#if canImport(SwiftUI)
import Combine
import SwiftUI

/// The view models of one signed-out visit. The router follows the sign-in ones, so a
/// successful sign-in switches to the tabs. A later sign-out creates new ones, which start
/// from an empty form.
public final class SignedOutModels: ObservableObject {
    public let signIn: SignInViewModel
    public let signUp: SignUpViewModel
    public let federated: FederatedSignInViewModel
    @Published var showsSignUp = false

    public init(
        signIn: SignInViewModel,
        signUp: SignUpViewModel,
        federated: FederatedSignInViewModel,
        router: SessionRouter
    ) {
        self.signIn = signIn
        self.signUp = signUp
        self.federated = federated
        router.follow(signIn: signIn)
        router.follow(federatedSignIn: federated)
    }
}

public struct SessionRootView<Tabs: View>: View {
    @StateObject private var router: ObservedModel<SessionRoute, SessionRouter>
    private let issuer: String
    private let makeSignedOut: () -> SignedOutModels
    private let tabs: (CurrentUser) -> Tabs

    /// `issuer` is the brand's name, shown in authenticator apps. `makeSignedOut` is called
    /// once per signed-out visit and `tabs` once per signed-in shopper.
    public init(
        router: SessionRouter,
        issuer: String,
        makeSignedOut: @escaping () -> SignedOutModels,
        @ViewBuilder tabs: @escaping (CurrentUser) -> Tabs
    ) {
        _router = StateObject(wrappedValue: ObservedModel(router))
        self.issuer = issuer
        self.makeSignedOut = makeSignedOut
        self.tabs = tabs
    }

    public var body: some View {
        Group {
            switch router.state {
            case .loading:
                ProgressView()
            case .signedOut:
                SignedOutView(issuer: issuer, make: makeSignedOut)
            case .signedIn(let user):
                // A new shopper gets new tabs, and so new view models.
                tabs(user).id(user.sub)
            }
        }
        .onAppear {
            if router.state == .loading {
                router.model.start()
            }
        }
    }
}

private struct SignedOutView: View {
    @StateObject private var models: SignedOutModels
    private let issuer: String

    init(issuer: String, make: @escaping () -> SignedOutModels) {
        _models = StateObject(wrappedValue: make())
        self.issuer = issuer
    }

    var body: some View {
        if models.showsSignUp {
            SignUpScreen(model: models.signUp) { models.showsSignUp = false }
        } else {
            SignInScreen(model: models.signIn, federated: models.federated, issuer: issuer) {
                models.showsSignUp = true
            }
        }
    }
}
#endif
