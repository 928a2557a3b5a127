//! Session observers implemented by the app, such as a view model that shows the sign-in
//! screen when the session ends.
//!
//! The core calls observers on the thread that changed the session, after it has released every
//! lock, so an observer may call back into `WalkoutApp`. An exception thrown by an observer is
//! logged and otherwise ignored: one failing screen must not undo a sign-in.

use std::sync::Arc;

use walkout_core::auth;

use crate::error::FfiResult;
use crate::types::auth::SessionEvent;

/// Receives session changes. Calls come from the thread that made the change, which may be any
/// thread; switch to the main thread before updating the UI.
#[uniffi::export(foreign)]
pub trait SessionObserver: Send + Sync {
    /// Called once per change, after the change is stored.
    fn session_changed(&self, event: SessionEvent) -> FfiResult<()>;
}

/// The core's view of an app's [`SessionObserver`].
pub(crate) struct ForeignSessionObserver {
    inner: Arc<dyn SessionObserver>,
}

impl ForeignSessionObserver {
    pub(crate) fn new(inner: Arc<dyn SessionObserver>) -> Self {
        Self { inner }
    }
}

impl auth::SessionObserver for ForeignSessionObserver {
    fn session_changed(&self, event: auth::SessionEvent) {
        if let Err(error) = self.inner.session_changed(event.into()) {
            tracing::warn!(error = %error, "a session observer failed");
        }
    }
}
