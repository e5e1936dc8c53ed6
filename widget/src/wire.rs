//! The widget's side of the JSON contract in `deflect_shared::api`, written
//! over the browser's own `JSON` object instead of a JSON library: about a
//! tenth of the widget's wasm otherwise. The field names are those of the
//! serde derives on the shared types; the browser tests send and read every
//! one of these through the real edge.

use deflect_shared::api::{
    Attachment, Author, CreateTicket, Csat, CustomerTicket, Message, NewMessage, Status, TicketCreated, TicketLink,
    UnreadQuery, UnreadTickets, VerifiedCustomer, WidgetEvent,
};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::JsValue;

/// A JSON object being written.
struct Out(Object);

impl Out {
    fn new() -> Out {
        Out(Object::new())
    }
    fn set(self, key: &str, value: impl Into<JsValue>) -> Out {
        let _ = Reflect::set(&self.0, &key.into(), &value.into());
        self
    }
    fn opt(self, key: &str, value: Option<impl Into<JsValue>>) -> Out {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }
    fn text(self) -> String {
        JSON::stringify(&self.0).ok().and_then(|s| s.as_string()).unwrap_or_default()
    }
}

fn strings(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

/// `POST /v1/tickets`.
pub(crate) fn create_ticket(t: &CreateTicket) -> String {
    let customer = Out::new()
        .set("email", t.customer.email.as_str())
        .opt("name", t.customer.name.as_deref())
        .opt("phone", t.customer.phone.as_deref())
        .opt("signature", t.customer.signature.as_deref());
    Out::new()
        .set("site", t.site.as_str())
        .set("customer", customer.0)
        .opt("subject", t.subject.as_deref())
        .set("message", t.message.as_str())
        .set("shown_articles", strings(&t.shown_articles))
        .opt("page_url", t.page_url.as_deref())
        .opt("locale", t.locale.as_deref())
        .opt("session", t.session.as_deref())
        .text()
}

/// `POST /v1/events`.
pub(crate) fn event(e: &WidgetEvent) -> String {
    Out::new()
        .set("site", e.site.as_str())
        .set("session", e.session.as_str())
        .set("kind", e.kind.as_str())
        .opt("article", e.article.as_deref())
        .opt("question", e.question.as_deref())
        .opt("confidence", e.confidence.map(f64::from))
        .text()
}

/// `POST /v1/tickets/{id}/messages`.
pub(crate) fn new_message(m: &NewMessage) -> String {
    Out::new().set("body", m.body.as_str()).set("internal", m.internal).text()
}

/// `POST /v1/tickets/{id}/csat`.
pub(crate) fn csat(c: &Csat) -> String {
    Out::new().set("rating", c.rating).opt("comment", c.comment.as_deref()).text()
}

/// `POST /v1/unread`.
pub(crate) fn unread_query(q: &UnreadQuery) -> String {
    let tickets: Array = q
        .tickets
        .iter()
        .map(|t| Out::new().set("id", t.id.as_str()).set("token", t.token.as_str()).set("seen_at", t.seen_at as f64).0)
        .collect();
    Out::new().set("tickets", tickets).text()
}

/// `POST /v1/identity/tickets`.
pub(crate) fn verified_customer(c: &VerifiedCustomer) -> String {
    Out::new().set("site", c.site.as_str()).set("email", c.email.as_str()).set("signature", c.signature.as_str()).text()
}

/// A JSON value being read.
#[derive(Clone)]
pub(crate) struct In(JsValue);

impl In {
    pub(crate) fn parse(text: &str) -> Option<In> {
        JSON::parse(text).ok().map(In)
    }
    pub(crate) fn new(value: JsValue) -> In {
        In(value)
    }
    fn get(&self, key: &str) -> Option<In> {
        if !self.0.is_object() {
            return None;
        }
        Reflect::get(&self.0, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null()).map(In)
    }
    pub(crate) fn str(&self, key: &str) -> Option<String> {
        self.get(key)?.0.as_string()
    }
    pub(crate) fn num(&self, key: &str) -> Option<f64> {
        self.get(key)?.0.as_f64()
    }
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        self.get(key)?.0.as_bool()
    }
    fn list(&self, key: &str) -> Vec<In> {
        self.get(key)
            .filter(|v| Array::is_array(&v.0))
            .map(|v| Array::from(&v.0).iter().map(In).collect())
            .unwrap_or_default()
    }
}

fn author(s: &str) -> Option<Author> {
    match s {
        "customer" => Some(Author::Customer),
        "agent" => Some(Author::Agent),
        "system" => Some(Author::System),
        _ => None,
    }
}

fn message(v: &In) -> Option<Message> {
    Some(Message {
        id: v.str("id")?,
        author: author(&v.str("author")?)?,
        author_name: v.str("author_name"),
        body: v.str("body")?,
        internal: v.bool("internal")?,
        created_at: v.num("created_at")? as i64,
        delivery: None,
        delivery_error: None,
        agent_id: None,
    })
}

/// A [`CustomerTicket`]; `None` when the value does not have its shape.
pub(crate) fn customer_ticket(v: &In) -> Option<CustomerTicket> {
    Some(CustomerTicket {
        id: v.str("id")?,
        subject: v.str("subject")?,
        status: Status::parse(&v.str("status")?)?,
        created_at: v.num("created_at")? as i64,
        updated_at: v.num("updated_at")? as i64,
        messages: v.list("messages").iter().map(message).collect::<Option<Vec<_>>>()?,
        csat: v.num("csat").map(|c| c as u8),
        continued_in: v.get("continued_in").and_then(|l| ticket_link(&l)),
        attachments: v.list("attachments").iter().filter_map(attachment).collect(),
    })
}

/// An [`Attachment`] (its type is not needed here).
fn attachment(v: &In) -> Option<Attachment> {
    Some(Attachment {
        id: v.str("id")?,
        message: v.str("message"),
        name: v.str("name")?,
        content_type: String::new(),
        size: v.num("size")? as u64,
    })
}

/// A [`TicketLink`].
fn ticket_link(v: &In) -> Option<TicketLink> {
    Some(TicketLink {
        id: v.str("id")?,
        subject: v.str("subject")?,
        token: v.str("token")?,
        created_at: v.num("created_at")? as i64,
    })
}

/// A [`VerifiedTickets`](deflect_shared::api::VerifiedTickets)'s tickets,
/// each as a [`TicketLink`] with its `seen_at`.
pub(crate) fn verified_tickets(v: &In) -> Option<Vec<(TicketLink, i64)>> {
    v.list("tickets").iter().map(|t| Some((ticket_link(t)?, t.num("seen_at")? as i64))).collect()
}

/// A [`TicketCreated`].
pub(crate) fn ticket_created(v: &In) -> Option<TicketCreated> {
    Some(TicketCreated { ticket: customer_ticket(&v.get("ticket")?)?, token: v.str("token")? })
}

/// An [`UnreadTickets`].
pub(crate) fn unread_tickets(v: &In) -> Option<UnreadTickets> {
    let ids = |key: &str| v.list(key).iter().map(|i| i.0.as_string()).collect::<Option<Vec<_>>>();
    Some(UnreadTickets { unread: ids("unread")?, erased: ids("erased")?, unknown: ids("unknown")? })
}

/// The message of an error answer (`{"error": {"message": …}}`).
pub(crate) fn error_message(v: &In) -> Option<String> {
    v.get("error")?.str("message")
}
