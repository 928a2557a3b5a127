// A sign-in sheet for tests that behaves like a browser on the oidc-provider emulator's pages.
// It opens the authorize URL, follows each redirect itself, keeps cookies by path and posts the
// login form. It stops at the first URL with the callback scheme, where ASWebAuthenticationSession
// would hand the app its callback. Requests and time are bounded, so a redirect loop or a
// rejected login ends as a failed sheet.

import Foundation
@testable import WalkoutKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

final class BrowserAuthenticator: WebAuthenticator {
    /// Requests per sign-in. The emulator's flow takes four: authorize, login page, login
    /// form, and the resumed authorization that redirects to the callback.
    static let maxRequests = 12
    /// Seconds for one request; the whole sheet takes at most `maxRequests` times this.
    static let requestTimeout: TimeInterval = 10

    private let login: String
    private let password: String
    private let lock = NSLock()
    private var sent = 0

    init(login: String, password: String) {
        self.login = login
        self.password = password
    }

    /// The requests sent so far, over every sheet this authenticator showed.
    var requestCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return sent
    }

    func authenticate(
        url: URL,
        callbackScheme: String,
        completion: @escaping (Result<URL, WebAuthenticationError>) -> Void
    ) {
        DispatchQueue.global().async {
            completion(self.navigate(from: url, callbackScheme: callbackScheme))
        }
    }

    private func navigate(from start: URL, callbackScheme: String) -> Result<URL, WebAuthenticationError> {
        let client = NoRedirectClient(timeout: Self.requestTimeout)
        defer { client.close() }
        var jar = CookieJar()
        var next = PageRequest(url: start, form: nil)
        for _ in 0..<Self.maxRequests {
            if next.url.scheme == callbackScheme {
                return .success(next.url)
            }
            countRequest()
            guard let page = client.send(next, cookies: jar.header(for: next.url)) else {
                return .failure(.failed)
            }
            jar.store(setCookie: page.response.value(forHTTPHeaderField: "Set-Cookie"), from: next.url)

            if (300..<400).contains(page.response.statusCode) {
                guard let location = page.response.value(forHTTPHeaderField: "Location"),
                      let target = URL(string: location, relativeTo: next.url)?.absoluteURL
                else { return .failure(.failed) }
                next = PageRequest(url: target, form: nil)
                continue
            }
            guard page.response.statusCode == 200,
                  let action = Self.formAction(in: page.body),
                  let target = URL(string: action, relativeTo: next.url)?.absoluteURL
            else { return .failure(.failed) }
            next = PageRequest(url: target, form: [("login", login), ("password", password)])
        }
        return .failure(.failed)
    }

    private func countRequest() {
        lock.lock()
        sent += 1
        lock.unlock()
    }

    /// Returns the `action` of the page's first form. The emulator writes it in double quotes
    /// and escapes nothing in it, because interaction ids are URL-safe.
    static func formAction(in html: String) -> String? {
        guard let start = html.range(of: "action=\"") else { return nil }
        guard let end = html[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(html[start.upperBound..<end])
    }
}

/// One navigation: a GET, or a POST of a URL-encoded form.
struct PageRequest {
    let url: URL
    let form: [(String, String)]?
}

/// Cookies by name and path, sent to request paths equal to their path or below it. A cookie
/// set to an empty value is removed, as the emulator clears its interaction cookies.
struct CookieJar {
    private var cookies: [String: (name: String, value: String, path: String)] = [:]

    mutating func store(setCookie header: String?, from url: URL) {
        guard let header else { return }
        for line in Self.splitSetCookie(header) {
            let parts = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            let pathAttribute = parts.dropFirst().first { $0.lowercased().hasPrefix("path=") }
            let path = pathAttribute.map { String($0.dropFirst("path=".count)) } ?? Self.defaultPath(url)
            let key = "\(name) \(path)"
            if value.isEmpty {
                cookies.removeValue(forKey: key)
            } else {
                cookies[key] = (name, value, path)
            }
        }
    }

    func header(for url: URL) -> String? {
        let requestPath = url.path.isEmpty ? "/" : url.path
        let matching = cookies.values
            .filter { Self.pathMatches(requestPath, cookiePath: $0.path) }
            .sorted { $0.path.count > $1.path.count }
            .map { "\($0.name)=\($0.value)" }
        return matching.isEmpty ? nil : matching.joined(separator: "; ")
    }

    /// Splits a header that joins several `Set-Cookie` lines with commas. A comma inside an
    /// `Expires` date is followed by a part without `=` before its first `;`, so such a part is
    /// joined back to the cookie before it.
    static func splitSetCookie(_ header: String) -> [String] {
        var lines: [String] = []
        for piece in header.split(separator: ",", omittingEmptySubsequences: false) {
            let head = piece.split(separator: ";", maxSplits: 1).first ?? ""
            if head.contains("=") || lines.isEmpty {
                lines.append(String(piece))
            } else if let last = lines.popLast() {
                lines.append(last + "," + piece)
            }
        }
        return lines
    }

    private static func defaultPath(_ url: URL) -> String {
        let path = url.path
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private static func pathMatches(_ requestPath: String, cookiePath: String) -> Bool {
        if requestPath == cookiePath { return true }
        guard requestPath.hasPrefix(cookiePath) else { return false }
        return cookiePath.hasSuffix("/") || requestPath.dropFirst(cookiePath.count).hasPrefix("/")
    }
}

/// A URLSession whose delegate stops every redirect, so the redirect response itself is
/// returned. Tasks have no completion handler, so the delegate receives each redirect and the
/// whole response. The response state is guarded by `lock`, and `session` is used only by the
/// one thread that navigates, hence `@unchecked Sendable`.
final class NoRedirectClient: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Page {
        let response: HTTPURLResponse
        let body: String
    }

    private let timeout: TimeInterval
    private var session: URLSession?
    private let lock = NSLock()
    private var body = Data()
    private var response: HTTPURLResponse?
    private var failed = false
    private let finished = DispatchSemaphore(value: 0)

    init(timeout: TimeInterval) {
        self.timeout = timeout
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpCookieStorage = nil
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    /// Sends `request` and waits for its whole response; nil on a transport error or timeout.
    func send(_ request: PageRequest, cookies: String?) -> Page? {
        guard let session else { return nil }
        var urlRequest = URLRequest(url: request.url, timeoutInterval: timeout)
        if let cookies {
            urlRequest.setValue(cookies, forHTTPHeaderField: "Cookie")
        }
        if let form = request.form {
            urlRequest.httpMethod = "POST"
            urlRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            urlRequest.httpBody = Data(Self.encodeForm(form).utf8)
        }
        reset()
        let task = session.dataTask(with: urlRequest)
        task.resume()
        guard finished.wait(timeout: .now() + timeout + 1) == .success else {
            task.cancel()
            return nil
        }
        lock.lock()
        defer { lock.unlock() }
        guard !failed, let response else { return nil }
        return Page(response: response, body: String(decoding: body, as: UTF8.self))
    }

    func close() {
        session?.invalidateAndCancel()
        session = nil
    }

    private func reset() {
        lock.lock()
        body = Data()
        response = nil
        failed = false
        lock.unlock()
    }

    static func encodeForm(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            return "\(name)=\(encoded)"
        }.joined(separator: "&")
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        self.response = response as? HTTPURLResponse
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        body.append(data)
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if response == nil {
            response = task.response as? HTTPURLResponse
        }
        failed = error != nil
        lock.unlock()
        finished.signal()
    }
}
