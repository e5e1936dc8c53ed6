//! Saved replies: answers a team gives often, kept by an admin and inserted
//! by agents, with placeholders such as `{{customer.first_name|there}}`
//! filled in from the ticket (after `|`, the text used when the value is
//! unknown). A saved reply may also say what happens to the ticket once it
//! is sent (a macro): a status, and tags to add.

use crate::api::{Status, TicketUpdate};
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// Most tags a saved reply adds, and a ticket holds.
const MAX_TAGS: usize = 20;

/// One saved reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReply {
    /// What agents pick it by (1 to 80 characters, unique).
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
    /// Once the reply is sent, the ticket takes this status (pending,
    /// solved or closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then_status: Option<Status>,
    /// Once the reply is sent, the ticket gets these tags besides its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_tags: Vec<String>,
}

/// The placeholders a saved reply may use.
pub const PLACEHOLDERS: [&str; 6] =
    ["customer.name", "customer.first_name", "customer.email", "agent.name", "ticket.id", "ticket.subject"];

/// What placeholders are filled from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyFacts {
    /// The customer's name, if known.
    pub customer_name: Option<String>,
    /// The customer's e-mail address.
    pub customer_email: String,
    /// The agent's name.
    pub agent_name: String,
    /// The ticket's id.
    pub ticket_id: String,
    /// The ticket's subject.
    pub ticket_subject: String,
}

impl ReplyFacts {
    fn value(&self, key: &str) -> Option<&str> {
        let v = match key {
            "customer.name" => self.customer_name.as_deref()?.trim(),
            "customer.first_name" => self.customer_name.as_deref()?.split_whitespace().next()?,
            "customer.email" => self.customer_email.as_str(),
            "agent.name" => self.agent_name.as_str(),
            "ticket.id" => self.ticket_id.as_str(),
            "ticket.subject" => self.ticket_subject.as_str(),
            _ => return None,
        };
        (!v.is_empty()).then_some(v)
    }
}

/// A piece of a template.
enum Piece<'a> {
    Text(&'a str),
    Placeholder { key: &'a str, fallback: &'a str },
}

/// Splits a template into text and placeholders; an unclosed `{{` or an
/// unknown placeholder is an error in words.
fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push(Piece::Text(&rest[..start]));
        let inner = &rest[start + 2..];
        let end = inner.find("}}").ok_or_else(|| "has a {{ that is not closed with }}".to_string())?;
        let (key, fallback) = inner[..end].split_once('|').unwrap_or((&inner[..end], ""));
        let key = key.trim();
        if !PLACEHOLDERS.contains(&key) {
            return Err(format!("has an unknown placeholder {{{{{key}}}}}; known are {}", PLACEHOLDERS.join(", ")));
        }
        out.push(Piece::Placeholder { key, fallback });
        rest = &inner[end + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

impl SavedReply {
    /// Checks the title and the template; `field` names it in errors.
    pub fn validate(&self, field: &str) -> Result<SavedReply, Error> {
        let title = crate::api::validate::text(&format!("{field}.title"), &self.title, 1, 80)?;
        let body = crate::api::validate::text(&format!("{field}.body"), &self.body, 1, crate::api::MAX_MESSAGE)?;
        pieces(&body).map_err(|m| Error::field(format!("{field}.body"), m))?;
        if self.then_status == Some(Status::Open) {
            return Err(Error::field(
                format!("{field}.then_status"),
                "a reply leaves a ticket pending, solved or closed, not open",
            ));
        }
        if self.add_tags.len() > MAX_TAGS {
            return Err(Error::field(format!("{field}.add_tags"), format!("at most {MAX_TAGS} tags")));
        }
        let mut add_tags = Vec::with_capacity(self.add_tags.len());
        for t in &self.add_tags {
            let t = crate::api::validate::text(&format!("{field}.add_tags"), t, 1, 64)?;
            if !add_tags.contains(&t) {
                add_tags.push(t);
            }
        }
        Ok(SavedReply { title, body, then_status: self.then_status, add_tags })
    }

    /// What sending it does to a ticket that has `tags`: its status and
    /// its tags with these added (once each, at most [`MAX_TAGS`]); `None`
    /// when it changes nothing.
    pub fn follow_up(&self, tags: &[String]) -> Option<TicketUpdate> {
        let mut all: Vec<String> = tags.to_vec();
        for t in &self.add_tags {
            if !all.contains(t) && all.len() < MAX_TAGS {
                all.push(t.clone());
            }
        }
        let tags = (all.len() > tags.len()).then_some(all);
        (self.then_status.is_some() || tags.is_some()).then(|| TicketUpdate {
            status: self.then_status,
            tags,
            ..Default::default()
        })
    }

    /// "solved, tagged refund, billing" for a reply that does that, for
    /// agents to see before they send it; `None` when it does nothing more.
    pub fn follow_up_words(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(s) = self.then_status {
            parts.push(s.as_str().to_string());
        }
        if !self.add_tags.is_empty() {
            parts.push(format!("tagged {}", self.add_tags.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The text with its placeholders filled in. A template that does not
    /// parse (it was not validated) comes back as it is.
    pub fn render(&self, facts: &ReplyFacts) -> String {
        match pieces(&self.body) {
            Ok(parts) => parts
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => *t,
                    Piece::Placeholder { key, fallback } => facts.value(key).unwrap_or(fallback),
                })
                .collect(),
            Err(_) => self.body.clone(),
        }
    }
}

/// Checks a list of saved replies: at most 100, titles unique.
pub fn validate_all(replies: &[SavedReply]) -> Result<Vec<SavedReply>, Error> {
    if replies.len() > 100 {
        return Err(Error::field("saved_replies", "at most 100 saved replies"));
    }
    let out = replies
        .iter()
        .enumerate()
        .map(|(i, r)| r.validate(&format!("saved_replies[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut titles: Vec<String> = out.iter().map(|r| r.title.to_lowercase()).collect();
    titles.sort_unstable();
    if let Some(w) = titles.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::field("saved_replies", format!("two saved replies are called {:?}", w[0])));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> SavedReply {
        SavedReply { title: "t".into(), body: body.into(), then_status: None, add_tags: Vec::new() }
    }

    fn facts() -> ReplyFacts {
        ReplyFacts {
            customer_name: Some("Ada  Lovelace".into()),
            customer_email: "ada@example.com".into(),
            agent_name: "Grace".into(),
            ticket_id: "t1".into(),
            ticket_subject: "Refund".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_in() {
        let r = reply(
            "Hi {{customer.first_name|there}}, about \"{{ ticket.subject }}\" ({{ticket.id}}): done. {{agent.name}}",
        );
        assert_eq!(r.render(&facts()), "Hi Ada, about \"Refund\" (t1): done. Grace");
        assert_eq!(reply("{{customer.name}} <{{customer.email}}>").render(&facts()), "Ada  Lovelace <ada@example.com>");
    }

    #[test]
    fn an_unknown_value_takes_the_fallback() {
        let nameless = ReplyFacts { customer_name: None, ..facts() };
        assert_eq!(reply("Hi {{customer.first_name|there}}!").render(&nameless), "Hi there!");
        assert_eq!(reply("Hi {{customer.name}}!").render(&nameless), "Hi !");
        let blank = ReplyFacts { customer_name: Some("  ".into()), ..facts() };
        assert_eq!(reply("Hi {{customer.first_name|there}}!").render(&blank), "Hi there!");
    }

    #[test]
    fn bad_templates_are_refused_in_words() {
        let e = reply("Hi {{customer.nickname}}").validate("saved_replies[2]").expect_err("unknown");
        assert!(
            e.to_string().starts_with("saved_replies[2].body: has an unknown placeholder {{customer.nickname}}"),
            "{e}"
        );
        let e = reply("Hi {{customer.name").validate("r").expect_err("unclosed");
        assert_eq!(e.to_string(), "r.body: has a {{ that is not closed with }}");
        assert!(SavedReply { title: " ".into(), ..reply("x") }.validate("r").is_err());
        assert!(reply(" ").validate("r").is_err());
    }

    #[test]
    fn titles_are_unique_and_the_list_is_bounded() {
        let two = [reply("a"), SavedReply { title: "T".into(), ..reply("b") }];
        assert!(validate_all(&two).expect_err("same title").to_string().contains("two saved replies"));
        assert!(validate_all(&vec![reply("a"); 101]).is_err());
        assert_eq!(validate_all(&[reply("a")]).ok(), Some(vec![reply("a")]));
    }

    #[test]
    fn a_macro_says_what_sending_it_does_to_the_ticket() {
        let refund = SavedReply {
            then_status: Some(Status::Solved),
            add_tags: vec![" refund ".into(), "billing".into(), "refund".into()],
            ..reply("Refunded.")
        }
        .validate("r")
        .expect("valid");
        assert_eq!(refund.add_tags, ["refund", "billing"], "trimmed, once each");
        assert_eq!(refund.follow_up_words().as_deref(), Some("solved, tagged refund, billing"));
        let u = refund.follow_up(&["billing".into(), "vip".into()]).expect("a change");
        assert_eq!(u.status, Some(Status::Solved));
        assert_eq!(u.tags, Some(vec!["billing".into(), "vip".into(), "refund".into()]));
        let status_only = SavedReply { add_tags: vec!["vip".into()], ..refund.clone() };
        assert_eq!(status_only.follow_up(&["vip".into()]).and_then(|u| u.tags), None, "no tag to add");
        assert_eq!(reply("Hi").follow_up(&[]), None);
        assert_eq!(reply("Hi").follow_up_words(), None);
        let full: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert_eq!(refund.follow_up(&full).and_then(|u| u.tags), None, "a full ticket takes no more tags");
    }

    #[test]
    fn a_macro_cannot_reopen_or_pile_on_tags() {
        let e = SavedReply { then_status: Some(Status::Open), ..reply("x") }.validate("saved_replies[1]").unwrap_err();
        assert!(e.to_string().starts_with("saved_replies[1].then_status: "), "{e}");
        let many = SavedReply { add_tags: (0..=MAX_TAGS).map(|i| i.to_string()).collect(), ..reply("x") };
        assert!(many.validate("r").unwrap_err().to_string().starts_with("r.add_tags: at most"));
        let blank = SavedReply { add_tags: vec![" ".into()], ..reply("x") };
        assert!(blank.validate("r").unwrap_err().to_string().starts_with("r.add_tags: "));
        let old: SavedReply =
            serde_json::from_str(r#"{"title":"t","body":"b"}"#).expect("settings saved before macros");
        assert_eq!(old, reply("b"));
    }

    proptest::proptest! {
        #[test]
        fn text_without_braces_comes_back_unchanged(body in "[^{}]{1,200}") {
            proptest::prop_assert_eq!(reply(&body).render(&facts()), body);
        }
    }
}
