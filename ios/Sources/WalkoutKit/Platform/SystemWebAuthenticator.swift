// `WebAuthenticator` over `ASWebAuthenticationSession`, the system browser sheet that shares
// the shopper's Safari cookies with the provider's page. iOS only, and not compiled on Linux.

#if canImport(AuthenticationServices) && canImport(UIKit)
import AuthenticationServices
import UIKit

public final class SystemWebAuthenticator: NSObject, WebAuthenticator,
    ASWebAuthenticationPresentationContextProviding
{
    /// The running session; the system cancels a session that nothing retains.
    private var session: ASWebAuthenticationSession?

    public func authenticate(
        url: URL,
        callbackScheme: String,
        completion: @escaping (Result<URL, WebAuthenticationError>) -> Void
    ) {
        let session = ASWebAuthenticationSession(url: url, callbackURLScheme: callbackScheme) {
            [weak self] callback, error in
            self?.session = nil
            if let callback {
                completion(.success(callback))
            } else if let error = error as? ASWebAuthenticationSessionError,
                error.code == .canceledLogin
            {
                completion(.failure(.cancelled))
            } else {
                completion(.failure(.failed))
            }
        }
        session.presentationContextProvider = self
        self.session = session
        if !session.start() {
            self.session = nil
            completion(.failure(.failed))
        }
    }

    public func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        let windows = UIApplication.shared.connectedScenes
            .compactMap { $0 as? UIWindowScene }
            .flatMap(\.windows)
        return windows.first(where: \.isKeyWindow) ?? ASPresentationAnchor()
    }
}
#endif
