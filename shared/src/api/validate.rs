//! Field checks used when wire types become validated values.

use crate::error::Error;

/// Trims `value` and checks its length in characters: at least `min` once
/// trimmed, at most `max` as sent (so the limit is the one the API
/// documents, whatever whitespace surrounds the text).
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, Error> {
    let v = value.trim();
    if v.chars().count() < min {
        return Err(Error::field(
            field,
            if min == 1 { "is required".to_string() } else { format!("needs at least {min} characters") },
        ));
    }
    if value.chars().count() > max {
        return Err(Error::field(field, format!("is longer than {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(Error::field(field, "holds control characters"));
    }
    Ok(v.to_string())
}

/// An optional text: blank becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => text(field, v, 1, max).map(Some),
    }
}

/// A plausible e-mail address, lower-cased: one `@`, a dot in the domain,
/// no spaces, at most 254 characters.
pub fn email(field: &str, value: &str) -> Result<String, Error> {
    let v = value.trim().to_lowercase();
    let bad = || Error::field(field, "is not a valid e-mail address");
    if v.len() > 254
        || value.chars().count() > 254
        || v.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'))
    {
        return Err(bad());
    }
    let (local, domain) = v.split_once('@').ok_or_else(bad)?;
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return Err(bad());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-')) {
        return Err(bad());
    }
    Ok(v)
}

/// A BCP 47-ish language tag ("en", "zh-CN"), lower-cased to its primary
/// subtag and checked against the interface languages.
pub fn locale(field: &str, value: Option<&str>) -> Result<String, Error> {
    let v = value.unwrap_or("en").trim();
    if v.is_empty() {
        return Ok("en".into());
    }
    if v.len() > 35 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::field(field, "is not a language tag like \"en\" or \"zh-CN\""));
    }
    let primary = v.split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
    Ok(if primary == "zh" { "zh".into() } else { "en".into() })
}

/// An http(s) URL of at most 2000 characters.
pub fn url(field: &str, value: &str) -> Result<String, Error> {
    let v = value.trim();
    if v.len() > 2000 || !(v.starts_with("https://") || v.starts_with("http://")) || v.chars().any(char::is_whitespace)
    {
        return Err(Error::field(field, "is not an http(s) URL of at most 2000 characters"));
    }
    Ok(v.to_string())
}

/// A site origin as the browser sends it: scheme, host and optional port,
/// without a path ("https://shop.example.com", "http://127.0.0.1:8788").
pub fn origin(field: &str, value: &str) -> Result<String, Error> {
    let v = value.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty()
            && !r.contains(['/', '?', '#', '@', ' '])
            && r.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    });
    if !ok {
        return Err(Error::field(field, format!("{value:?} is not an origin like https://shop.example.com")));
    }
    Ok(v)
}

/// An id made of 1 to 64 letters, digits, `-` and `_`.
pub fn id(field: &str, value: &str) -> Result<String, Error> {
    if value.is_empty() || value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::field(field, "must be 1 to 64 letters, digits, '-' or '_'"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("e", " Ann@Example.COM ").as_deref(), Ok("ann@example.com"));
        for bad in ["", "ann", "ann@", "@x.com", "a@b", "a b@c.com", "a@b..com", "a@-b.com", "<a@b.com>"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_and_origins() {
        assert_eq!(text("m", "  hi ", 1, 10).as_deref(), Ok("hi"));
        assert_eq!(text("m", " ", 1, 10).unwrap_err().to_string(), "m: is required");
        assert!(text("m", "a\u{0}b", 1, 10).is_err());
        assert!(text("m", "长长长", 1, 2).is_err());
        // The limit counts what was sent, surrounding whitespace included.
        assert!(text("m", "hi\u{85}\u{85}\u{85}", 1, 4).is_err());
        assert_eq!(optional_text("m", Some(" \n "), 2), Ok(None));
        assert!(optional_text("m", Some("ab  "), 3).is_err());
        assert_eq!(origin("o", "HTTP://127.0.0.1:8788/").as_deref(), Ok("http://127.0.0.1:8788"));
        assert!(origin("o", "https://x.com/path").is_err());
        assert_eq!(locale("l", Some("zh-CN")).as_deref(), Ok("zh"));
        assert_eq!(locale("l", Some("fr")).as_deref(), Ok("en"));
        assert!(locale("l", Some("<script>")).is_err());
    }
}
