//! KB articles on the wire.

use super::validate;
use crate::error::Error;
use crate::kb::{Article, MAX_CATEGORY_LEN};
use serde::{Deserialize, Serialize};

/// An article as admins write it (`POST`/`PUT /v1/agent/articles`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Id; generated from the title when absent on create.
    #[serde(default)]
    pub id: Option<String>,
    /// Title.
    pub title: String,
    /// Answer text (Markdown).
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Other ways customers ask.
    #[serde(default)]
    pub phrasings: Vec<String>,
    /// `en` or `zh`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The help-centre category it is listed under ("Billing"); blank or
    /// absent for none.
    #[serde(default)]
    pub category: Option<String>,
}

impl From<&ArticleView> for ArticleInput {
    /// The article as it would be written again: an export's entry, or the
    /// body of a change to it.
    fn from(a: &ArticleView) -> ArticleInput {
        ArticleInput {
            id: Some(a.id.clone()),
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.clone(),
            phrasings: a.phrasings.clone(),
            locale: Some(a.locale.clone()),
            category: Some(a.category.clone()),
        }
    }
}

/// A stored article with its publishing state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleView {
    /// Id.
    pub id: String,
    /// Site id.
    pub site: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Phrasings.
    pub phrasings: Vec<String>,
    /// Locale.
    pub locale: String,
    /// Help-centre category; empty for none.
    #[serde(default)]
    pub category: String,
    /// Last change, ms.
    pub updated_at: i64,
    /// The article's revision: 1 when created, one more with each change.
    /// Its ETag is this number in quotes; send it back in `If-Match` so a
    /// change made meanwhile by someone else is not overwritten.
    #[serde(default)]
    pub revision: u32,
}

/// What made a revision of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevisionAction {
    /// Created in the editor or the API.
    Create,
    /// Changed in the editor or the API.
    Update,
    /// Created or changed by an import.
    Import,
    /// An earlier revision made current again.
    Restore,
    /// Deleted; the revision keeps the text it had.
    Delete,
}

impl RevisionAction {
    /// Every action.
    pub const ALL: [RevisionAction; 5] = [
        RevisionAction::Create,
        RevisionAction::Update,
        RevisionAction::Import,
        RevisionAction::Restore,
        RevisionAction::Delete,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionAction::Create => "create",
            RevisionAction::Update => "update",
            RevisionAction::Import => "import",
            RevisionAction::Restore => "restore",
            RevisionAction::Delete => "delete",
        }
    }

    /// The action with this stored name.
    pub fn parse(s: &str) -> Option<RevisionAction> {
        RevisionAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The action in words, as a past participle ("edited").
    pub fn describe(self) -> &'static str {
        match self {
            RevisionAction::Create => "created",
            RevisionAction::Update => "edited",
            RevisionAction::Import => "imported",
            RevisionAction::Restore => "restored",
            RevisionAction::Delete => "deleted",
        }
    }
}

/// One kept state of an article (`GET /v1/agent/articles/{id}/revisions`,
/// newest first; `GET /v1/agent/kb/deleted` lists the `delete` revisions of
/// articles that are gone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRevision {
    /// The article's id.
    pub article: String,
    /// Its revision number.
    pub revision: u32,
    /// What made it.
    pub action: RevisionAction,
    /// Title then.
    pub title: String,
    /// Body then.
    pub body: String,
    /// Tags then.
    pub tags: Vec<String>,
    /// Phrasings then.
    pub phrasings: Vec<String>,
    /// Locale then.
    pub locale: String,
    /// Help-centre category; empty for none.
    #[serde(default)]
    pub category: String,
    /// Who made it (the agent's name); absent for what existed before
    /// history was kept.
    pub author: Option<String>,
    /// When, ms.
    pub created_at: i64,
}

/// `GET /v1/agent/kb/status`: the saved articles against what the widget
/// has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbStatus {
    /// When the KB was last published, ms; absent when it never was.
    pub published_at: Option<i64>,
    /// Articles in the published index.
    pub published_articles: usize,
    /// Articles saved now.
    pub saved_articles: u64,
    /// Saved articles created or changed since the last publish (all of
    /// them when it was never published).
    pub changed: u64,
    /// Published articles deleted since.
    pub deleted: u64,
    /// The order of the site's categories (see
    /// [`crate::api::Site::category_order`]).
    #[serde(default)]
    pub category_order: Vec<String>,
}

/// `PUT /v1/admin/kb/categories?site=`: the order the help centre lists the
/// site's categories in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryOrder {
    /// Categories first in the list, in this order; the others follow
    /// alphabetically.
    pub order: Vec<String>,
}

impl CategoryOrder {
    /// Checks the names (see [`crate::kb::validate_order`]): trimmed, each
    /// category once.
    pub fn validate(&self) -> Result<Vec<String>, Error> {
        crate::kb::validate_order("order", &self.order)
    }
}

/// `POST /v1/agent/kb/try`: a question asked as a customer would, to see
/// what the widget does with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryQuestion {
    /// The question.
    pub question: String,
    /// `true`: match against the articles as saved now, before publishing;
    /// `false`: against the published index the widget has.
    #[serde(default)]
    pub draft: bool,
}

impl TryQuestion {
    /// The question, trimmed: 1 to 500 characters.
    pub fn validate(&self) -> Result<String, Error> {
        validate::text("question", &self.question, 1, 500)
    }
}

/// What the widget would do with a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryAnswer {
    /// `answer`, `suggest` or `escalate` (offer a ticket).
    pub decision: String,
    /// The matcher's confidence that the best article answers it (0..=1).
    pub confidence: f32,
    /// The confidence from which the widget answers.
    pub answer_threshold: f32,
    /// The confidence from which it suggests articles (below: a ticket).
    pub suggest_threshold: f32,
    /// The three best articles, best first, each marked with whether the
    /// widget shows it.
    pub hits: Vec<TryHit>,
    /// Matched against the saved articles (`true`) or the published index.
    pub draft: bool,
    /// Articles in the index that was searched.
    pub articles: usize,
}

/// One article in a [`TryAnswer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryHit {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its probability among the articles.
    pub probability: f32,
    /// The widget shows it to the customer.
    pub shown: bool,
}

/// Most phrasings (and tags) an article holds.
pub const MAX_PHRASINGS: usize = 100;

/// An article's phrasings with `questions` added (customers' own wordings
/// of a question it should answer): those it has already, in normalised
/// form, and blank or over-long ones are left out, and the list stops at
/// [`MAX_PHRASINGS`]. Returns the list and how many were added.
pub fn with_phrasings(existing: &[String], questions: &[String]) -> (Vec<String>, usize) {
    let mut out = existing.to_vec();
    let mut seen: Vec<String> = existing.iter().map(|p| crate::text::normalize(p)).collect();
    let mut added = 0;
    for q in questions {
        let q = q.trim();
        let key = crate::text::normalize(q);
        if out.len() >= MAX_PHRASINGS || key.is_empty() || q.chars().count() > 500 || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(q.to_string());
        added += 1;
    }
    (out, added)
}

/// The ETag of an article revision: the number in quotes.
pub fn revision_etag(revision: u32) -> String {
    format!("\"{revision}\"")
}

/// What an `If-Match` header asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: the article exists, whatever its revision.
    Any,
    /// One of these revisions is current.
    Revisions(Vec<u32>),
}

impl IfMatch {
    /// Reads an `If-Match` header: `*`, or a comma-separated list of ETags
    /// as [`revision_etag`] writes them (a weak `W/` prefix is accepted).
    pub fn parse(header: &str) -> Result<IfMatch, Error> {
        let header = header.trim();
        if header == "*" {
            return Ok(IfMatch::Any);
        }
        let bad =
            || Error::field("If-Match", "expected the ETag the article was read with, such as \"3\" (or * for any)");
        let mut out = Vec::new();
        for tag in header.split(',').map(str::trim) {
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            let inner = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or_else(bad)?;
            if inner.is_empty() || inner.len() > 9 || !inner.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            out.push(inner.parse().map_err(|_| bad())?);
        }
        Ok(IfMatch::Revisions(out))
    }

    /// True when an article at `current` (`None`: there is none) meets it.
    pub fn accepts(&self, current: Option<u32>) -> bool {
        match (self, current) {
            (_, None) => false,
            (IfMatch::Any, Some(_)) => true,
            (IfMatch::Revisions(list), Some(r)) => list.contains(&r),
        }
    }
}

/// A line of `GET /v1/agent/kb/performance`: how one article did with
/// customers over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticlePerformance {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Times the widget answered with it.
    pub shown: u64,
    /// "This helped" clicks.
    pub helped: u64,
    /// "Did not help" clicks.
    pub not_helped: u64,
    /// Tickets agents marked as solved by it.
    pub solved_tickets: u64,
    /// Share of votes that said it helped, when there are votes.
    pub helpful_share: Option<f64>,
    /// The votes show, with 95% confidence, that it helps fewer than half
    /// of those who vote ([`crate::metrics::needs_work`]).
    pub needs_work: bool,
}

/// Makes an id from a title: lower-case ASCII words joined by `-`, or a
/// fallback for titles without ASCII letters.
pub fn slug(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for word in title.to_lowercase().split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if out.len() + word.len() + 1 > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(word);
    }
    if out.is_empty() { fallback.to_string() } else { out }
}

impl ArticleInput {
    /// Validates into an [`Article`]; `fallback_id` is used when neither an
    /// id nor an ASCII title gives one.
    pub fn validate(&self, fallback_id: &str) -> Result<Article, Error> {
        let title = validate::text("title", &self.title, 1, 300)?;
        let id = match self.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => validate::id("id", id)?,
            _ => slug(&title, fallback_id),
        };
        let list = |field: &str, items: &[String], max: usize| -> Result<Vec<String>, Error> {
            if items.len() > MAX_PHRASINGS {
                return Err(Error::field(field, "at most 100 items"));
            }
            items.iter().map(|s| validate::text(field, s, 1, max)).collect()
        };
        let article = Article {
            id,
            body: validate::text("body", &self.body, 0, crate::kb::MAX_BODY_LEN / 4)?,
            tags: list("tags", &self.tags, 64)?,
            phrasings: list("phrasings", &self.phrasings, 500)?,
            locale: validate::locale("locale", self.locale.as_deref())?,
            category: validate::optional_text("category", self.category.as_deref(), MAX_CATEGORY_LEN)?
                .unwrap_or_default(),
            title,
        };
        article.validate()?;
        Ok(article)
    }
}

/// Parses a Markdown file into an article: the first `# ` heading is the
/// title, an optional front block of `key: value` lines (before the heading)
/// sets `id`, `locale`, `category`, `tags` (separated by `,`) and
/// `phrasings` (separated by `|`), or one tag or phrasing a line with
/// `tag:` and `phrasing:` (which may then hold `,` or `|`), and the rest is
/// the body.
pub fn parse_markdown(text: &str) -> Result<ArticleInput, Error> {
    let mut input = ArticleInput {
        id: None,
        title: String::new(),
        body: String::new(),
        tags: Vec::new(),
        phrasings: Vec::new(),
        locale: None,
        category: None,
    };
    let mut lines = text.lines().peekable();
    let mut in_front = false;
    if lines.peek().map(|l| l.trim()) == Some("---") {
        lines.next();
        in_front = true;
    }
    let mut body = Vec::new();
    for line in lines {
        if in_front {
            if line.trim() == "---" {
                in_front = false;
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(Error::field("markdown", format!("front matter line {line:?} is not `key: value`")));
            };
            let split = |v: &str, sep: char| {
                v.split(sep).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<String>>()
            };
            match key.trim() {
                "id" => input.id = Some(value.trim().to_string()),
                "tags" => input.tags.extend(split(value, ',')),
                "phrasings" => input.phrasings.extend(split(value, '|')),
                "tag" => input.tags.extend(split(value, '\n')),
                "phrasing" => input.phrasings.extend(split(value, '\n')),
                "locale" => input.locale = Some(value.trim().to_string()),
                "category" => input.category = Some(value.trim().to_string()),
                other => return Err(Error::field("markdown", format!("unknown front matter key {other:?}"))),
            }
        } else if input.title.is_empty() && line.starts_with("# ") {
            input.title = line[2..].trim().to_string();
        } else {
            body.push(line);
        }
    }
    if in_front {
        return Err(Error::field("markdown", "front matter is not closed with ---"));
    }
    if input.title.is_empty() {
        return Err(Error::field("markdown", "needs a `# Title` line"));
    }
    input.body = body.join("\n").trim().to_string();
    Ok(input)
}

/// Writes an article as a Markdown file that [`parse_markdown`] reads back
/// as the same article: front matter (`id`, `locale`, `category`, then one
/// `tag:` and one `phrasing:` line each), the `# ` title, the body. A line
/// break inside the title, a tag, a phrasing or the category (which only
/// the API lets in) becomes a space, since each is one line here.
pub fn to_markdown(a: &ArticleInput) -> String {
    let one_line =
        |s: &str| s.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let mut out = String::from("---\n");
    let mut field = |key: &str, value: &str| {
        let value = one_line(value);
        if !value.is_empty() {
            out.push_str(&format!("{key}: {value}\n"));
        }
    };
    field("id", a.id.as_deref().unwrap_or(""));
    field("locale", a.locale.as_deref().unwrap_or(""));
    field("category", a.category.as_deref().unwrap_or(""));
    for t in &a.tags {
        field("tag", t);
    }
    for p in &a.phrasings {
        field("phrasing", p);
    }
    out.push_str(&format!("---\n# {}\n", one_line(&a.title)));
    let body = a.body.trim();
    if !body.is_empty() {
        out.push_str(&format!("\n{body}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_import() {
        let md = "---\nid: reset\ntags: login, password\ncategory: Your account\nphrasings: forgot password | cannot log in\n---\n# Reset your password\n\nOpen **Settings**.\n";
        let a = parse_markdown(md).expect("parses");
        assert_eq!(a.id.as_deref(), Some("reset"));
        assert_eq!(a.category.as_deref(), Some("Your account"));
        assert_eq!(a.tags, ["login", "password"]);
        assert_eq!(a.phrasings, ["forgot password", "cannot log in"]);
        assert_eq!(a.title, "Reset your password");
        assert_eq!(a.body, "Open **Settings**.");
        assert!(parse_markdown("no title").unwrap_err().to_string().contains("# Title"));
        assert!(parse_markdown("---\nbad\n---\n# T").is_err());
    }

    #[test]
    fn an_article_written_as_markdown_reads_back_the_same() {
        let a = ArticleInput {
            id: Some("gift-cards".into()),
            title: "Gift cards: how they work".into(),
            body: "---\n# Not the title\n\nKey: value, and | pipes.".into(),
            tags: vec!["cards, gifts".into(), "x|y".into()],
            phrasings: vec!["can I pay with a gift card | voucher".into(), "礼品卡怎么用".into()],
            locale: Some("en".into()),
            category: Some("Billing: cards".into()),
        };
        let md = to_markdown(&a);
        assert!(
            md.starts_with("---\nid: gift-cards\nlocale: en\ncategory: Billing: cards\ntag: cards, gifts\n"),
            "{md}"
        );
        assert_eq!(parse_markdown(&md).expect("reads back"), a);
        // Nothing optional: the title alone.
        let bare = ArticleInput {
            id: None,
            body: String::new(),
            tags: vec![],
            phrasings: vec![],
            locale: None,
            category: None,
            ..a.clone()
        };
        assert_eq!(to_markdown(&bare), "---\n---\n# Gift cards: how they work\n");
        assert_eq!(parse_markdown(&to_markdown(&bare)).expect("reads back"), bare);
        // A line break the API let into a one-line field becomes a space.
        let broken = ArticleInput { title: "Two\nlines".into(), tags: vec!["a\r\nb".into()], ..bare };
        let back = parse_markdown(&to_markdown(&broken)).expect("reads back");
        assert_eq!((back.title.as_str(), back.tags), ("Two lines", vec!["a b".to_string()]));
    }

    #[test]
    fn if_match_reads_etags() {
        assert_eq!(IfMatch::parse(&revision_etag(3)).unwrap(), IfMatch::Revisions(vec![3]));
        assert_eq!(IfMatch::parse(" W/\"4\", \"5\" ").unwrap(), IfMatch::Revisions(vec![4, 5]));
        assert_eq!(IfMatch::parse("*").unwrap(), IfMatch::Any);
        for bad in ["3", "\"\"", "\"x\"", "\"-1\"", "\"99999999999\"", "", "\"3\",,"] {
            let e = IfMatch::parse(bad).unwrap_err().to_string();
            assert!(e.contains("ETag"), "{bad:?}: {e}");
        }
        let m = IfMatch::Revisions(vec![2, 3]);
        assert!(m.accepts(Some(3)) && !m.accepts(Some(4)) && !m.accepts(None));
        assert!(IfMatch::Any.accepts(Some(9)) && !IfMatch::Any.accepts(None));
    }

    #[test]
    fn customers_wordings_join_the_phrasings_once() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (list, added) = with_phrasings(
            &s(&["I forgot my password"]),
            &s(&["i FORGOT my password!", " can't log in ", "", "can not log in", &"x".repeat(501)]),
        );
        assert_eq!((list, added), (s(&["I forgot my password", "can't log in"]), 1));
        let full: Vec<String> = (0..MAX_PHRASINGS).map(|i| format!("wording {i}")).collect();
        assert_eq!(with_phrasings(&full, &s(&["one more"])).1, 0);
    }

    #[test]
    fn tried_questions_are_validated() {
        let q = |s: &str| TryQuestion { question: s.into(), draft: false }.validate();
        assert_eq!(q("  my card was stolen ").unwrap(), "my card was stolen");
        assert!(q(" ").is_err());
        assert!(q(&"x".repeat(501)).is_err());
    }

    #[test]
    fn revision_actions_round_trip() {
        for a in RevisionAction::ALL {
            assert_eq!(RevisionAction::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        assert_eq!(RevisionAction::parse("edit"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Reset your password!", "x"), "reset-your-password");
        assert_eq!(slug("无法登录", "a1"), "a1");
    }
}
