// Administrator calls to moto, the Cognito stand-in that `cargo xtask ios` starts, for test
// set-up only: users created with a temporary password, and pools of their own for tests that
// change pool-wide settings such as MFA. It speaks Cognito's JSON protocol over URLSession.

import Foundation
import XCTest
@testable import WalkoutKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

enum MotoAdminError: Error, CustomStringConvertible {
    case failed(operation: String, status: Int, body: String)
    case noResponse(operation: String)
    case unexpectedBody(operation: String)

    var description: String {
        switch self {
        case .failed(let operation, let status, let body):
            return "\(operation) failed with HTTP \(status): \(body)"
        case .noResponse(let operation):
            return "\(operation) got no response from moto within 10 seconds"
        case .unexpectedBody(let operation):
            return "\(operation) returned a body that is not the expected JSON object"
        }
    }
}

/// Synchronous client of moto's Cognito Identity Provider API at `endpoint`.
struct MotoAdmin {
    let endpoint: String

    /// Calls `operation` with `body` and returns the decoded JSON object of the response.
    @discardableResult
    func call(_ operation: String, _ body: [String: Any]) throws -> [String: Any] {
        let url = try XCTUnwrap(URL(string: endpoint))
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("AWSCognitoIdentityProviderService.\(operation)", forHTTPHeaderField: "X-Amz-Target")
        request.setValue("application/x-amz-json-1.1", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)

        let done = DispatchSemaphore(value: 0)
        let outcome = TaskOutcome()
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            outcome.set(data, response, error)
            done.signal()
        }
        task.resume()
        guard done.wait(timeout: .now() + 10) == .success else {
            task.cancel()
            throw MotoAdminError.noResponse(operation: operation)
        }
        let (body, response, failure) = outcome.get()
        if let failure {
            throw failure
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let data = body ?? Data()
        guard (200..<300).contains(status) else {
            let text = String(decoding: data, as: UTF8.self)
            throw MotoAdminError.failed(operation: operation, status: status, body: text)
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MotoAdminError.unexpectedBody(operation: operation)
        }
        return object
    }

    /// Creates a user whose first sign-in must set a new password. moto sends no invitation.
    func createUser(poolId: String, email: String, temporaryPassword: String) throws {
        try call("AdminCreateUser", [
            "UserPoolId": poolId,
            "Username": email,
            "TemporaryPassword": temporaryPassword,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [["Name": "email", "Value": email]],
        ])
    }

    /// Creates a pool that signs users in by email, like the one `cargo xtask ios` creates,
    /// and a public app client; returns their ids.
    func createPool(name: String) throws -> (poolId: String, clientId: String) {
        let pool = try call("CreateUserPool", [
            "PoolName": name,
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
        ])
        let poolId = try XCTUnwrap((pool["UserPool"] as? [String: Any])?["Id"] as? String)
        let client = try call("CreateUserPoolClient", [
            "UserPoolId": poolId,
            "ClientName": "app",
            "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ])
        let clientId = try XCTUnwrap(
            (client["UserPoolClient"] as? [String: Any])?["ClientId"] as? String
        )
        return (poolId, clientId)
    }

    /// Makes an authenticator app (TOTP) mandatory for every user of the pool.
    func requireAuthenticatorApp(poolId: String) throws {
        try call("SetUserPoolMfaConfig", [
            "UserPoolId": poolId,
            "SoftwareTokenMfaConfiguration": ["Enabled": true],
            "MfaConfiguration": "ON",
        ])
    }
}

/// The result of one data task, written by URLSession's queue and read by the waiting test.
private final class TaskOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, URLResponse?, Error?) = (nil, nil, nil)

    func set(_ data: Data?, _ response: URLResponse?, _ error: Error?) {
        lock.lock()
        value = (data, response, error)
        lock.unlock()
    }

    func get() -> (Data?, URLResponse?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// Returns a new address at `example.com` for one test's shopper.
func uniqueEmail(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(12).lowercased())@example.com"
}
