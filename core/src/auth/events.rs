//! Session events and the observer that the shells register to hear them.
//!
//! Observers are foreign code (Swift, Kotlin) once exported, and a callback may call back into
//! the core, so they are always called after every lock is released.

use std::sync::{Arc, RwLock};

/// A change of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// A shopper signed in; `sub` is their Cognito user id.
    SignedIn { sub: String },
    /// The tokens were refreshed.
    Refreshed,
    /// The shopper signed out or deleted their account.
    SignedOut,
    /// The session ended without the shopper asking (refresh token expired or revoked): show
    /// the sign-in screen.
    NeedsSignIn,
}

/// Receives session events; implemented by the shells.
pub trait SessionObserver: Send + Sync {
    fn session_changed(&self, event: SessionEvent);
}

/// The registered observers.
#[derive(Default)]
pub(crate) struct Observers {
    list: RwLock<Vec<Arc<dyn SessionObserver>>>,
}

impl Observers {
    pub(crate) fn add(&self, observer: Arc<dyn SessionObserver>) {
        self.list
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(observer);
    }

    /// Calls every observer with `event`, outside the lock.
    pub(crate) fn notify(&self, event: &SessionEvent) {
        let observers = self
            .list
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        for observer in observers {
            observer.session_changed(event.clone());
        }
    }
}
