//! The core's one internal tokio runtime, behind a synchronous API.
//!
//! Swift and Kotlin call the core from their own background threads and expect blocking calls.
//! Each public method therefore runs its network work with [`CoreRuntime::block_on`] on a small
//! multi-thread runtime (2 workers) that the core owns. Blocking on a runtime from inside
//! another runtime's thread would panic or deadlock, so that case is detected and returned as
//! [`Error::InsideAsyncRuntime`] instead.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// Worker threads of the internal runtime: network waits dominate, so two are enough.
const WORKER_THREADS: usize = 2;

/// The internal runtime; dropping it stops its workers.
#[derive(Debug)]
pub struct CoreRuntime {
    runtime: Option<tokio::runtime::Runtime>,
}

impl CoreRuntime {
    pub fn new() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("walkout-core")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    /// Runs `future` to completion on the internal runtime, blocking the calling thread.
    ///
    /// Returns [`Error::InsideAsyncRuntime`] when called from a thread that is running an
    /// async runtime, where blocking is not allowed.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::InsideAsyncRuntime);
        }
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| Error::Internal("the runtime was shut down".to_owned()))?;
        Ok(runtime.block_on(future))
    }
}

impl Drop for CoreRuntime {
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        // Dropping a runtime waits for its workers, which panics inside another runtime;
        // there it is shut down in the background instead.
        if tokio::runtime::Handle::try_current().is_ok() {
            runtime.shutdown_background();
        } else {
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_runs_future() {
        let runtime = CoreRuntime::new().expect("runtime");
        let value = runtime.block_on(async { 40 + 2 }).expect("not nested");
        assert_eq!(value, 42);
    }

    #[test]
    fn block_on_inside_runtime_is_an_error() {
        let runtime = CoreRuntime::new().expect("runtime");
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("outer");
        let result = outer.block_on(async { runtime.block_on(async { 1 }) });
        assert!(matches!(result, Err(Error::InsideAsyncRuntime)));
        // Dropping the core runtime inside the outer one must not panic either.
        outer.block_on(async move { drop(runtime) });
    }
}
