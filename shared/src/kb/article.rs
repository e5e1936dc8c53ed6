//! Knowledge-base articles and how they are cut into training examples.

use crate::error::{Error, ErrorKind};

/// Largest article id, in bytes.
pub const MAX_ID_LEN: usize = 100;
/// Largest title, in bytes.
pub const MAX_TITLE_LEN: usize = 300;
/// Largest body, in bytes.
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// Most tags or extra phrasings on one article.
pub const MAX_LIST_LEN: usize = 100;
/// Longest category name, in characters.
pub const MAX_CATEGORY_LEN: usize = 80;

/// A knowledge-base article as the index builder receives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Article {
    /// Stable id ("card-arrival"): no spaces, control characters, `/`, `\\`,
    /// `#` or `%`, so it can stand in a URL path.
    pub id: String,
    /// The title shown to customers.
    pub title: String,
    /// The answer text (plain text or Markdown).
    pub body: String,
    /// Tags ("billing", "login").
    pub tags: Vec<String>,
    /// Other ways customers ask this question.
    pub phrasings: Vec<String>,
    /// BCP 47 language tag of the article ("en", "zh").
    pub locale: String,
    /// The help-centre category it is listed under ("Billing"); empty for
    /// none. One line; the matcher does not read it.
    pub category: String,
}

impl Article {
    /// Checks sizes and the id's alphabet.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |msg: String| Err(Error::new(ErrorKind::InvalidArticle(msg)));
        if self.id.is_empty() || self.id.len() > MAX_ID_LEN {
            return bad(format!("article id must be 1 to {MAX_ID_LEN} bytes"));
        }
        if self.id.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '/' | '\\' | '#' | '%')) {
            return bad(format!(
                "article id {:?} may not hold spaces, control characters, '/', '\\', '#' or '%'",
                self.id
            ));
        }
        if self.title.trim().is_empty() || self.title.len() > MAX_TITLE_LEN {
            return bad(format!("article {:?}: title must be 1 to {MAX_TITLE_LEN} bytes", self.id));
        }
        if self.body.len() > MAX_BODY_LEN {
            return bad(format!("article {:?}: body is over {MAX_BODY_LEN} bytes", self.id));
        }
        if self.tags.len() > MAX_LIST_LEN || self.phrasings.len() > MAX_LIST_LEN {
            return bad(format!("article {:?}: at most {MAX_LIST_LEN} tags and {MAX_LIST_LEN} phrasings", self.id));
        }
        if self.locale.len() > 35 {
            return bad(format!("article {:?}: locale is too long", self.id));
        }
        if self.category.chars().count() > MAX_CATEGORY_LEN || self.category.chars().any(char::is_control) {
            return bad(format!(
                "article {:?}: category must be one line of at most {MAX_CATEGORY_LEN} characters",
                self.id
            ));
        }
        Ok(())
    }

    /// The texts the matcher learns this article from: its title, each extra
    /// phrasing, its tags, and the sentences of its body (the first
    /// [`MAX_BODY_SENTENCES`]).
    pub fn examples(&self) -> Vec<String> {
        let mut out = vec![self.title.clone()];
        out.extend(self.phrasings.iter().filter(|p| !p.trim().is_empty()).cloned());
        if !self.tags.is_empty() {
            out.push(self.tags.join(" "));
        }
        out.extend(sentences(&self.body).into_iter().take(MAX_BODY_SENTENCES));
        out
    }
}

/// How many body sentences become training examples.
pub(crate) const MAX_BODY_SENTENCES: usize = 40;

/// Splits text into sentences at `.`, `?`, `!`, their CJK forms and line
/// breaks. Markdown markers at the start of a line are dropped.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut flush = |cur: &mut String| {
        let s = cur.trim().trim_start_matches(['#', '*', '-', '>', ' ']).trim();
        if s.chars().any(char::is_alphanumeric) {
            out.push(s.to_string());
        }
        cur.clear();
    };
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' => flush(&mut cur),
            '。' | '？' | '！' | '；' => {
                cur.push(c);
                flush(&mut cur);
            }
            '.' | '?' | '!' => {
                cur.push(c);
                // "1.5" and "e.g." do not end a sentence: the next character
                // must be a space or the end.
                if chars.get(i + 1).is_none_or(|n| n.is_whitespace()) {
                    flush(&mut cur);
                }
            }
            _ => cur.push(c),
        }
    }
    flush(&mut cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences() {
        assert_eq!(
            sentences("Is my card coming? It costs 1.5 EUR. ok!\n# Heading\n打开浏览器。帮我找菜单。"),
            ["Is my card coming?", "It costs 1.5 EUR.", "ok!", "Heading", "打开浏览器。", "帮我找菜单。"]
        );
    }

    #[test]
    fn examples_include_title_phrasings_tags_body() {
        let a = Article {
            id: "a".into(),
            title: "Reset password".into(),
            body: "Go to settings. Click reset.".into(),
            tags: vec!["login".into()],
            phrasings: vec!["I forgot my password".into()],
            locale: "en".into(),
            // A category is for the help centre's lists, not for matching.
            category: "Account".into(),
        };
        assert_eq!(
            a.examples(),
            ["Reset password", "I forgot my password", "login", "Go to settings.", "Click reset."]
        );
    }

    #[test]
    fn validation_names_the_problem() {
        let mut a = Article { id: "bad id!".into(), title: "t".into(), ..Article::default() };
        let err = a.validate().unwrap_err().to_string();
        assert!(err.contains("may not hold"), "{err}");
        a.id = "ok".into();
        a.title = " ".into();
        assert!(a.validate().unwrap_err().to_string().contains("title"));
        a.title = "t".into();
        a.category = "Billing\nand more".into();
        assert!(a.validate().unwrap_err().to_string().contains("category must be one line"));
        a.category = "账".repeat(MAX_CATEGORY_LEN);
        assert!(a.validate().is_ok());
        a.category.push('x');
        assert!(a.validate().unwrap_err().to_string().contains("at most 80 characters"));
    }
}
