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
use deflect_shared::identity::{ROTATION_GRACE_MS, read_signature};

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
/// or, within a day of a rotation, the previous one; an expiring signature
/// past its time is [`Checked::Expired`], and one that holds longer than
/// the site allows (`signature_max_hours`) [`Checked::TooLong`].
pub(crate) async fn check(app: &App, site: &str, email: &str, signature: &str) -> AppResult<Checked> {
    let max_hours = app.settings().await?.site(site).and_then(|s| s.signature_max_hours);
    let current = secret(app, site).await?;
    let mut secrets = vec![current.secret];
    if current.previous_valid_until.is_some() {
        secrets.push(app.key().await?.identity_secret(site, current.version.saturating_sub(1)).await?);
    }
    let given = read_signature(signature);
    let text = given.signed_for(email);
    for s in &secrets {
        if same(hex(&hmac(s.as_bytes(), text.as_bytes()).await?).as_bytes(), given.mac().as_bytes()) {
            return Ok(match max_hours {
                _ if given.expired(app.now) => Checked::Expired,
                Some(hours) if !given.within(app.now, max_hours) => Checked::TooLong(hours),
                _ => Checked::Verified,
            });
        }
    }
    Ok(Checked::Mismatched)
}

/// What [`check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    Verified,
    /// The site's signature, but past the time it gave.
    Expired,
    /// The site's signature, but one that holds longer than the site
    /// allows (these hours): a plain one, or one with a later time.
    TooLong(u32),
    Mismatched,
}

impl Checked {
    /// What a ticket keeps: an expired signature does not verify.
    pub(crate) fn identity(self) -> Identity {
        match self {
            Checked::Verified => Identity::Verified,
            Checked::Expired | Checked::TooLong(_) | Checked::Mismatched => Identity::Mismatched,
        }
    }
}

/// A verified customer's tickets on the site, each with its token, for a
/// widget in a browser that has not seen them. A signature the site did
/// not make for the e-mail is refused (403), and says nothing of whether
/// the customer has tickets.
pub(crate) async fn own_tickets(app: &App, who: &VerifiedCustomer) -> AppResult<VerifiedTickets> {
    if app.settings().await?.site(&who.site).is_none() {
        return Err(AppError::invalid("site", format!("site: there is no site {:?}", who.site)));
    }
    match check(app, &who.site, &who.email, &who.signature).await? {
        Checked::Verified => {}
        Checked::Expired => {
            return Err(AppError::Forbidden("the signature has expired: the site signs the e-mail again".into()));
        }
        Checked::TooLong(hours) => {
            return Err(AppError::Forbidden(format!(
                "the site takes only signatures that expire within {hours} hours: the site signs the e-mail with a time"
            )));
        }
        Checked::Mismatched => {
            return Err(AppError::Forbidden("the signature is not the site's for this e-mail".into()));
        }
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
