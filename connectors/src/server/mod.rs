//! The HTTP service: shared state, the router, and the listener with graceful shutdown.
//!
//! A request's path through the service: the request-context middleware gives it a request id
//! and a tracing span, the route's authentication layer checks the caller, the handler does its
//! work against the database, and errors leave as problem documents (see `problem`).

mod context;
mod health;
mod openapi;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;

use crate::auth::AuthState;
use crate::clock::Clock;
use crate::config::{ClockMode, Config};
use crate::credentials::Credentials;
use crate::db::Database;

pub use context::RequestId;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Database,
    pub clock: Clock,
    pub credentials: Arc<Credentials>,
    pub auth: AuthState,
    /// Data keys and decision counts of the entry gate.
    pub gate: Arc<crate::gate::GateState>,
    /// The payment service provider (the `stripe` adapter, by default against the sandbox).
    pub payments: Arc<dyn crate::payments::gateway::PaymentGateway>,
}

impl AppState {
    pub async fn new(
        config: Config,
        db: Database,
        credentials: Credentials,
    ) -> anyhow::Result<AppState> {
        let clock = match config.clock {
            ClockMode::System => Clock::system(),
            ClockMode::Test => Clock::test(),
        };
        let auth = AuthState::new(&config, &credentials, &db).await?;
        let payments = Arc::new(crate::payments::stripe::StripeGateway::from_config(
            &config,
        )?);
        let gate = crate::gate::GateState::new(&config.gate, &credentials)
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        Ok(AppState {
            config: Arc::new(config),
            db,
            clock,
            credentials: Arc::new(credentials),
            auth,
            gate: Arc::new(gate),
            payments,
        })
    }
}

/// Builds the router of every route, with the OpenAPI document generated from the same code.
pub fn router(state: AppState) -> Router {
    let (routes, api) = openapi::routes(&state).split_for_parts();
    let api = Arc::new(api);
    let max_body = state.config.max_body_bytes;

    routes
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let api = api.clone();
                async move { axum::Json(api.as_ref().clone()) }
            }),
        )
        .fallback(context::not_found)
        .method_not_allowed_fallback(context::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::app_api::reject_deleted_accounts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::session::online_check,
        ))
        .layer(axum::middleware::from_fn(context::request_context))
        .with_state(state)
}

/// Serves until SIGTERM or SIGINT, then lets in-flight requests finish within the grace period.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    spawn_background_workers(&state);
    let app = router(state);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();

    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested; finishing in-flight requests");
        let _ = stop_tx.send(());
    });
    let server = tokio::spawn(async move { server.await });

    tokio::select! {
        result = server => result.unwrap_or_else(|join| Err(std::io::Error::other(join))),
        () = async {
            let _ = stop_rx.await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish within the grace period");
            Ok(())
        }
    }
}

/// Starts the background workers of the service on the current runtime: the ordering job
/// worker (capture, receipt, POS export and retailer webhook after each purchase), the
/// payment reconciler (card authorizations close to expiry, abandoned hold attempts), and the scheduled
/// association-rule job of offers.
pub fn spawn_background_workers(state: &AppState) {
    crate::ordering::worker::spawn(state.clone());
    crate::offers::spawn_scheduled_job(state);
    crate::payments::reconcile::spawn(state.clone());
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
