// The browser step of hosted sign-in. The core's `signInHosted` blocks its calling thread
// while it calls `BrowserStep.authorize`, but the system sign-in sheet
// (`ASWebAuthenticationSession`) starts on the main thread and reports through a completion
// handler. `WebAuthenticatorBrowserStep` joins the two: it starts the sheet on the
// presentation queue and blocks the core's thread until the sheet ends. It must therefore never
// run on the presentation queue itself, or the two would wait for each other.

import Foundation

public enum WebAuthenticationError: Error, Equatable {
    /// The shopper closed the sheet.
    case cancelled
    case failed
}

/// Shows a provider's sign-in page and returns the callback URL it redirected to.
public protocol WebAuthenticator: AnyObject {
    func authenticate(
        url: URL,
        callbackScheme: String,
        completion: @escaping (Result<URL, WebAuthenticationError>) -> Void
    )
}

/// The generated `BrowserStep` over a `WebAuthenticator`.
public final class WebAuthenticatorBrowserStep: BrowserStep, @unchecked Sendable {
    private let authenticator: WebAuthenticator
    private let presentationQueue: DispatchQueue
    /// Marks `presentationQueue`, so `authorize` can tell that it runs there.
    private let presentationKey = DispatchSpecificKey<Bool>()

    /// `presentationQueue` is where `authenticator` is called and must not be the queue that
    /// calls `signInHosted`. `.main` suits `ASWebAuthenticationSession`.
    public init(authenticator: WebAuthenticator, presentationQueue: DispatchQueue = .main) {
        self.authenticator = authenticator
        self.presentationQueue = presentationQueue
        presentationQueue.setSpecific(key: presentationKey, value: true)
    }

    /// Shows `authorizeUrl` and waits for the sheet to end. The callback scheme is the scheme
    /// of `redirectUri`. Every failure is returned as an outcome whose reason names no URL,
    /// because the landed URL carries the authorization code.
    public func authorize(authorizeUrl: String, redirectUri: String) throws -> BrowserOutcome {
        guard let url = URL(string: authorizeUrl), url.scheme != nil else {
            return .failed(reason: "the authorize URL is not a valid URL")
        }
        guard let scheme = URL(string: redirectUri)?.scheme, !scheme.isEmpty else {
            return .failed(reason: "the redirect URI has no scheme")
        }
        if isOnPresentationQueue() {
            return .failed(reason: "the browser step was called on the queue that shows the sheet")
        }

        let result = OneTimeResult()
        let authenticator = self.authenticator
        presentationQueue.async {
            authenticator.authenticate(url: url, callbackScheme: scheme) { result.set($0) }
        }
        switch result.wait() {
        case .success(let landed):
            return .redirected(url: landed.absoluteString)
        case .failure(.cancelled):
            return .cancelled
        case .failure(.failed):
            return .failed(reason: "the sign-in sheet could not be shown or did not redirect")
        }
    }

    /// Returns whether the caller runs on the presentation queue, where waiting for the sheet
    /// would never end. The main thread counts as the main queue even outside a dispatched
    /// block. The label identifies the main queue, so the check does not depend on
    /// `DispatchQueue.main` returning the same object each time.
    private func isOnPresentationQueue() -> Bool {
        if DispatchQueue.getSpecific(key: presentationKey) == true {
            return true
        }
        return presentationQueue.label == DispatchQueue.main.label && Thread.isMainThread
    }
}

/// The first result that a completion handler delivers. Later calls are ignored, so an
/// authenticator that completes twice cannot change the outcome.
private final class OneTimeResult: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var value: Result<URL, WebAuthenticationError>?

    func set(_ result: Result<URL, WebAuthenticationError>) {
        lock.lock()
        let isFirst = value == nil
        if isFirst {
            value = result
        }
        lock.unlock()
        if isFirst {
            ready.signal()
        }
    }

    /// Blocks until `set` is first called.
    func wait() -> Result<URL, WebAuthenticationError> {
        ready.wait()
        lock.lock()
        defer { lock.unlock() }
        return value ?? .failure(.failed)
    }
}
