//! Reading what `wrangler dev` writes to its log: the lines without the
//! terminal's colour codes, and the status of the requests it served.

/// A line (or any text) of the log without the terminal's colour codes
/// (`ESC [ … m`).
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The status of a request line such as
/// `[wrangler:info] POST /v1/tickets 201 Created (12ms)`.
pub fn request_status(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("[wrangler:info] ")?;
    let mut words = rest.split(' ');
    let method = words.next()?;
    if !method.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    words.next()?;
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_request_lines_and_drops_colours() {
        assert_eq!(request_status("[wrangler:info] POST /v1/tickets 201 Created (12ms)"), Some(201));
        assert_eq!(request_status("[wrangler:info] GET /v1/x 500 Internal Server Error (3ms)"), Some(500));
        assert_eq!(request_status("[wrangler:info] Ready on http://127.0.0.1:8790"), None);
        assert_eq!(request_status("✘ [ERROR] internal error: D1"), None);
        assert_eq!(plain("\u{1b}[31mred\u{1b}[0m text"), "red text");
    }
}
