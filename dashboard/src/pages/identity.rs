//! Identity verification (Settings, admins only): the first site's
//! identity secret, shown on request and rotated after a confirmation,
//! and how a site's server signs its customers with it.

use crate::secret_box::{SecretBox, SecretIds, Shown};
use crate::time::{ago, stamp};
use deflect_shared::api::IdentitySecret;
use leptos::prelude::*;

/// How the box shows a site's secret.
fn describe(s: &IdentitySecret) -> Shown {
    let made = s.rotated_at.map_or_else(|| "the first secret".to_string(), |t| format!("made {}", ago(t)));
    let previous = s
        .previous_valid_until
        .map(|t| format!(" Signatures made with the previous secret verify until {}.", stamp(t)))
        .unwrap_or_default();
    Shown {
        about: format!("Identity secret of site “{}” (version {}, {made}):{previous}", s.site, s.version),
        secret: s.secret.clone(),
    }
}

#[component]
pub fn IdentityVerification(
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let ids = SecretIds {
        secret: "identity-secret",
        show: "show-identity-secret",
        rotate: "rotate-identity-secret",
        warning: "rotate-identity-warning",
        confirm: "rotate-identity-confirm",
    };
    view! {
        <h2>"Identity verification"</h2>
        <p class="muted">
            "A page that knows who its visitor is (they are logged in to your site) can tell the widget, and prove it, so agents see the ticket's e-mail as verified. Your server signs the e-mail, trimmed and in lower case, with HMAC-SHA256 keyed with the secret below, in hex, and the page passes it on: "
            <code>"Deflect.identify({ email, name, signature })"</code>
            ". To make a signature expire, sign the e-mail, a line break and a Unix time in seconds, and pass "
            <code>"<seconds>.<hex>"</code>
            ": a leaked one is then of no use after its time. Verified customers find their conversations in the widget on any of their devices. Keep the secret on your server; never put it in a page. A ticket whose signature does not match is still kept, marked as not verified."
        </p>
        <div class="new-token identity-secret">
            <SecretBox note=note path="/v1/admin/identity-secret" ids=ids describe=describe
                hidden="The identity secret is hidden."
                show_label="Show the identity secret"
                warning="Your site must sign with the new secret within a day; after that, the previous one's signatures no longer verify."
                rotated="A new identity secret is in use; for a day, signatures made with the previous one still verify." />
        </div>
    }
}
