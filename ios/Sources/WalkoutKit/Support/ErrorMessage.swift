// The sentence a screen shows for a failed core call.

import Foundation

/// Returns the sentence to show for `error`. A `WalkoutFfiError` carries the core's own
/// sentence, written to be shown to the shopper and free of personal data. Any other error
/// gets a fixed sentence, because its text may come from anywhere.
public func errorMessage(for error: Error) -> String {
    if let error = error as? WalkoutFfiError {
        return error.description
    }
    return "Something went wrong. Please try again."
}

/// Returns whether `error` means the device cannot reach the backend now.
public func isOffline(_ error: Error) -> Bool {
    if case .Offline = error as? WalkoutFfiError {
        return true
    }
    return false
}
