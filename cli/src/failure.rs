//! Failures of a command and the exit codes they map to.

use walkout_core::WalkoutError;

/// Exit code of usage and configuration errors (the same code clap uses for bad arguments).
pub const EXIT_USAGE: i32 = 2;
/// Exit code of failures while running a command.
pub const EXIT_RUNTIME: i32 = 1;

/// A failed command: what kind of failure, for the exit code and JSON, and a message.
#[derive(Debug)]
pub struct Failure {
    pub kind: &'static str,
    pub message: String,
    pub exit_code: i32,
}

impl Failure {
    pub fn config(message: impl Into<String>) -> Self {
        Self {
            kind: "config",
            message: message.into(),
            exit_code: EXIT_USAGE,
        }
    }

    pub fn runtime(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            exit_code: EXIT_RUNTIME,
        }
    }
}

impl From<WalkoutError> for Failure {
    fn from(error: WalkoutError) -> Self {
        let kind = match &error {
            WalkoutError::InvalidInput { .. } => return Failure::config(error.to_string()),
            WalkoutError::Network { .. } => "network",
            WalkoutError::Offline { .. } => "offline",
            WalkoutError::NotSignedIn => "not-signed-in",
            WalkoutError::Unauthorized => "unauthorized",
            WalkoutError::Denied { .. } => "denied",
            WalkoutError::Storage => "storage",
            WalkoutError::SecretStoreUnavailable => "secret-store-unavailable",
            WalkoutError::CalledFromAsyncRuntime | WalkoutError::Internal => "internal",
        };
        Failure::runtime(kind, error.to_string())
    }
}
