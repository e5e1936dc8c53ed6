//! Saved replies: answers a team gives often, kept by an admin and inserted
//! by agents, with placeholders such as `{{customer.first_name|there}}`
//! filled in from the ticket (after `|`, the text used when the value is
//! unknown).

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// One saved reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedReply {
    /// What agents pick it by (1 to 80 characters, unique).
    pub title: String,
    /// The text, with placeholders.
    pub body: String,
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
        Ok(SavedReply { title, body })
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
        SavedReply { title: "t".into(), body: body.into() }
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
        assert!(SavedReply { title: " ".into(), body: "x".into() }.validate("r").is_err());
        assert!(reply(" ").validate("r").is_err());
    }

    #[test]
    fn titles_are_unique_and_the_list_is_bounded() {
        let two = [reply("a"), SavedReply { title: "T".into(), body: "b".into() }];
        assert!(validate_all(&two).expect_err("same title").to_string().contains("two saved replies"));
        assert!(validate_all(&vec![reply("a"); 101]).is_err());
        assert_eq!(validate_all(&[reply("a")]).ok(), Some(vec![reply("a")]));
    }

    proptest::proptest! {
        #[test]
        fn text_without_braces_comes_back_unchanged(body in "[^{}]{1,200}") {
            proptest::prop_assert_eq!(reply(&body).render(&facts()), body);
        }
    }
}
