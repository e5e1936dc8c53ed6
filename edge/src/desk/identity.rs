//! Identity verification (`deflect_shared::identity`): each site's secret
//! as admins see it, its rotation, and what a widget ticket's signature
//! says of its customer.

use crate::crypto::{hex, hmac, same};
use crate::desk::views::ticket_token;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::identity_keys as store;
use crate::store::{customers, key_standing};
use deflect_shared::api::{
    Identity, IdentitySecret, MAX_VERIFIED_TICKETS, VerifiedCustomer, VerifiedTicket, VerifiedTickets,
};
use deflect_shared::identity::{ROTATION_GRACE_MS, normalise_signature, signed_text};

/// The site's secret as admins see it; an error for a site there is not.
pub(crate) async fn secret(app: &App, site: &str) -> AppResult<IdentitySecret> {
    if app.settings().await?.site(site).is_none() {
        return Err(AppError::NotFound(format!("there is no site {site:?}")));
    }
    let (version, rotated_at, previous_valid_until) =
        key_standing(&store::keys(&app.db, site).await?, app.now, ROTATION_GRACE_MS);
    Ok(IdentitySecret {
        site: site.to_string(),
        secret: app.key().await?.identity_secret(site, version).await?,
        version,
        rotated_at,
        previous_valid_until,
    })
}

/// Makes the site a new secret; the previous one's signatures still match
/// for a day.
pub(crate) async fn rotate(app: &App, site: &str) -> AppResult<IdentitySecret> {
    secret(app, site).await?;
    store::rotate(&app.db, site, app.now).await?;
    secret(app, site).await
}

/// Whether `signature` is the site's for `email`, with its current secret
/// or, within a day of a rotation, the previous one.
pub(crate) async fn check(app: &App, site: &str, email: &str, signature: &str) -> AppResult<Identity> {
    let current = secret(app, site).await?;
    let mut secrets = vec![current.secret];
    if current.previous_valid_until.is_some() {
        secrets.push(app.key().await?.identity_secret(site, current.version.saturating_sub(1)).await?);
    }
    let text = signed_text(email);
    let given = normalise_signature(signature);
    for s in &secrets {
        if same(hex(&hmac(s.as_bytes(), text.as_bytes()).await?).as_bytes(), given.as_bytes()) {
            return Ok(Identity::Verified);
        }
    }
    Ok(Identity::Mismatched)
}

/// A verified customer's tickets on the site, each with its token, for a
/// widget in a browser that has not seen them. A signature the site did
/// not make for the e-mail is refused (403), and says nothing of whether
/// the customer has tickets.
pub(crate) async fn own_tickets(app: &App, who: &VerifiedCustomer) -> AppResult<VerifiedTickets> {
    if app.settings().await?.site(&who.site).is_none() {
        return Err(AppError::invalid("site", format!("site: there is no site {:?}", who.site)));
    }
    if check(app, &who.site, &who.email, &who.signature).await? != Identity::Verified {
        return Err(AppError::Forbidden("the signature is not the site's for this e-mail".into()));
    }
    let email_hash = app.key().await?.lookup_hash(&who.email).await?;
    let rows = customers::own_tickets(&app.db, &who.site, &email_hash, MAX_VERIFIED_TICKETS as u32).await?;
    let mut tickets = Vec::with_capacity(rows.len());
    for r in rows {
        tickets.push(VerifiedTicket {
            token: ticket_token(app, &r.id).await?,
            id: r.id,
            subject: r.subject,
            created_at: r.created_at as i64,
            seen_at: r.seen_at as i64,
        });
    }
    Ok(VerifiedTickets { tickets })
}
