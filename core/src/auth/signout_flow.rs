//! The order of sign-out, over the session and the sign-out hooks.
//!
//! `GlobalSignOut` runs before `RevokeToken`, because revoking the refresh token also revokes
//! the access token that `GlobalSignOut` needs. The refresh token is queued before the session
//! is deleted, so a crash or a lost connection at any step leaves it revocable later.

use super::events::SessionEvent;
use super::signout::SignOutOutcome;
use crate::error::Error;
use crate::walkout::Walkout;

/// Signs the shopper of `walkout` out; see `Walkout::sign_out`.
pub(crate) async fn sign_out(walkout: &Walkout) -> Result<SignOutOutcome, Error> {
    let auth = walkout.auth();
    let session = auth.session();
    let secrets = session.secrets().as_ref();
    auth.set_pending(None);

    let tokens = match session.load() {
        Ok(tokens) => Some(tokens),
        Err(Error::NotSignedIn) => None,
        Err(error) => return Err(error),
    };
    if let Some(tokens) = &tokens {
        auth.hooks
            .queue_revocation(walkout.store(), secrets, &tokens.refresh_token)?;
    }
    session.forget_tokens();
    let wiped = auth.hooks.wipe_local_data(walkout.store());

    let mut global_sign_out = false;
    if let Some(tokens) = &tokens
        && session.options().global_sign_out
    {
        match session
            .cognito()
            .global_sign_out(&tokens.access_token)
            .await
        {
            Ok(()) => global_sign_out = true,
            Err(error) => tracing::info!(error = %error, "GlobalSignOut failed; revoking only"),
        }
    }

    let (revoked, pending) = match auth
        .hooks
        .retry_revocations(walkout.store(), secrets, session.cognito())
        .await
    {
        Ok(counts) => counts,
        Err(error) => {
            tracing::warn!(error = %error, "cannot process the revocation queue now");
            (0, 1)
        }
    };
    if tokens.is_some() {
        session.observers().notify(&SessionEvent::SignedOut);
    }
    wiped?;
    Ok(SignOutOutcome {
        global_sign_out,
        refresh_token_revoked: tokens.is_some() && revoked > 0,
        revocations_pending: pending,
    })
}
