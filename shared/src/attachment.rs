//! Files that come with a customer's mail, as the help desk keeps them:
//! how many and how large, what each is called, and how it is handed back
//! to an agent's browser so that no file can run as a page of the
//! dashboard's origin.

use std::fmt::Write;

/// The most files kept from one mail.
pub const MAX_ATTACHMENTS: usize = 10;
/// The largest file kept, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 8 * 1024 * 1024;
/// The most bytes of files one message carries (a mail of them stays
/// under Cloudflare's 25 MiB once encoded).
pub const MAX_MESSAGE_FILES_BYTES: usize = 16 * 1024 * 1024;
/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A file as it came with a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    /// Its name, cleaned by [`clean_name`].
    pub name: String,
    /// Its MIME type as the sender gave it, lower-cased (`image/png`), or
    /// `application/octet-stream`.
    pub content_type: String,
    /// Its contents, decoded.
    pub bytes: Vec<u8>,
}

/// Why a file was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    /// Larger than [`MAX_ATTACHMENT_BYTES`].
    TooLarge,
    /// More than [`MAX_ATTACHMENTS`] came with the mail.
    TooMany,
}

/// Sorts the files of one mail into those kept and the names of those not
/// kept, with why: files over the size limit, then any past the
/// [`MAX_ATTACHMENTS`] first ones.
pub fn keep(files: Vec<IncomingFile>) -> (Vec<IncomingFile>, Vec<(String, NotKept)>) {
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for file in files {
        if file.bytes.len() > MAX_ATTACHMENT_BYTES {
            refused.push((file.name, NotKept::TooLarge));
        } else if kept.len() == MAX_ATTACHMENTS {
            refused.push((file.name, NotKept::TooMany));
        } else {
            kept.push(file);
        }
    }
    (kept, refused)
}

/// The note added to a customer's message for files not kept, or `None`
/// when every file was kept.
pub fn not_kept_note(refused: &[(String, NotKept)]) -> Option<String> {
    if refused.is_empty() {
        return None;
    }
    let names: Vec<String> = refused
        .iter()
        .map(|(name, why)| match why {
            NotKept::TooLarge => format!("{name} (over {} MB)", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
            NotKept::TooMany => format!("{name} (more than {MAX_ATTACHMENTS} files)"),
        })
        .collect();
    Some(format!("[Attachments not kept: {}]", names.join(", ")))
}

/// The text of a message that is only files: `[Sent without text: a.png]`.
pub fn without_text(files: &[IncomingFile]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    format!("[Sent without text: {}]", names.join(", "))
}

/// Why the files of one message cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// More than [`MAX_ATTACHMENTS`] files.
    TooMany,
    /// This file is larger than [`MAX_ATTACHMENT_BYTES`].
    TooLarge {
        /// The file's name, as it came.
        name: String,
    },
    /// Together the files are larger than [`MAX_MESSAGE_FILES_BYTES`].
    TooMuch {
        /// Their size together, in bytes.
        total: u64,
    },
}

impl Refused {
    /// The reason in the customer's language: `zh…` is Chinese, anything
    /// else English.
    pub fn in_language(&self, lang: &str) -> String {
        if !lang.to_ascii_lowercase().starts_with("zh") {
            return self.to_string();
        }
        match self {
            Refused::TooMany => format!("一条消息最多附带 {MAX_ATTACHMENTS} 个文件。"),
            Refused::TooLarge { name } => {
                format!("{name} 超过 {} MB，无法发送。", MAX_ATTACHMENT_BYTES / (1024 * 1024))
            }
            Refused::TooMuch { total } => format!(
                "这些文件共 {}，一条消息最多附带 {} MB。",
                megabytes_rounded_up(*total),
                MAX_MESSAGE_FILES_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::TooMany => write!(f, "at most {MAX_ATTACHMENTS} files go with one message"),
            Refused::TooLarge { name } => write!(f, "{name} is over {} MB", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
            Refused::TooMuch { total } => write!(
                f,
                "the files come to {} together; one message carries at most {} MB",
                megabytes_rounded_up(*total),
                MAX_MESSAGE_FILES_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// Bytes as megabytes with one decimal, rounded up, so a size just over
/// a limit never reads as the limit itself.
fn megabytes_rounded_up(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    let tenths = (bytes * 10).div_ceil(MB);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// Why the files of one message cannot be taken, or `None` when they can:
/// at most [`MAX_ATTACHMENTS`], each at most [`MAX_ATTACHMENT_BYTES`], and
/// [`MAX_MESSAGE_FILES_BYTES`] together. `files` are their names and sizes
/// in bytes.
pub fn refused<'a>(files: impl IntoIterator<Item = (&'a str, u64)>) -> Option<Refused> {
    let files: Vec<(&str, u64)> = files.into_iter().collect();
    if files.len() > MAX_ATTACHMENTS {
        return Some(Refused::TooMany);
    }
    if let Some((name, _)) = files.iter().find(|(_, size)| *size > MAX_ATTACHMENT_BYTES as u64) {
        return Some(Refused::TooLarge { name: (*name).to_string() });
    }
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    (total > MAX_MESSAGE_FILES_BYTES as u64).then_some(Refused::TooMuch { total })
}

/// The names and sizes of files as they came, for [`refused`].
pub fn sizes(files: &[IncomingFile]) -> impl Iterator<Item = (&str, u64)> {
    files.iter().map(|f| (f.name.as_str(), f.bytes.len() as u64))
}

/// A file name safe to show and to offer for saving: the last part of any
/// path, without control characters, quotes or separators, cut to
/// [`MAX_NAME_CHARS`]. A file with no usable name is called `file-<n>`,
/// with an extension from its type where one is known.
pub fn clean_name(raw: Option<&str>, n: usize, content_type: &str) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>' | '|' | ':' | '*' | '?'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return match extension(content_type) {
            Some(ext) => format!("file-{n}.{ext}"),
            None => format!("file-{n}"),
        };
    }
    cut_name(cleaned)
}

/// Cuts a name to [`MAX_NAME_CHARS`], keeping its extension.
fn cut_name(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.is_empty() && e.chars().count() <= 10);
    match ext {
        Some(ext) => {
            let stem: String = name.chars().take(MAX_NAME_CHARS - ext.chars().count() - 1).collect();
            format!("{stem}.{ext}")
        }
        None => name.chars().take(MAX_NAME_CHARS).collect(),
    }
}

fn extension(content_type: &str) -> Option<&'static str> {
    Some(match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "message/rfc822" => "eml",
        _ => return None,
    })
}

/// A MIME type as kept: lower case, without parameters, `type/subtype` of
/// token characters, else `application/octet-stream`.
pub fn clean_type(raw: &str) -> String {
    let t = raw.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match t.split_once('/') {
        Some((a, b)) if token(a) && token(b) => t,
        _ => "application/octet-stream".to_string(),
    }
}

/// The type a file is served with. Only kinds a browser shows without
/// running anything keep their own (images other than SVG, PDF, plain
/// text); every other file is served as `application/octet-stream`, so
/// an HTML or SVG file sent by a customer is saved, never rendered.
pub fn served_type(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "image/png",
        "image/jpeg" => "image/jpeg",
        "image/gif" => "image/gif",
        "image/webp" => "image/webp",
        "application/pdf" => "application/pdf",
        "text/plain" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The `Content-Disposition` of a download: always `attachment`, with an
/// ASCII fallback name and the real one in RFC 8187 encoding.
pub fn disposition(name: &str) -> String {
    format!("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii_name(name), rfc8187(name))
}

/// A file name as plain ASCII for a quoted `filename` parameter: anything
/// else (and quotes and backslashes) becomes `_`.
pub fn ascii_name(name: &str) -> String {
    name.chars().map(|c| if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' { c } else { '_' }).collect()
}

/// A file name as an RFC 8187 `filename*` value (after `UTF-8''`): UTF-8
/// with every byte outside its value characters percent-encoded.
pub fn rfc8187(name: &str) -> String {
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    encoded
}

/// A size in words: `512 bytes`, `12 KB`, `3.4 MB`.
pub fn size_in_words(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < KB * KB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{:.1} MB", bytes as f64 / (KB * KB) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, len: usize) -> IncomingFile {
        IncomingFile { name: name.into(), content_type: "image/png".into(), bytes: vec![0; len] }
    }

    #[test]
    fn names_lose_paths_and_unsafe_characters() {
        assert_eq!(clean_name(Some("C:\\Users\\ann\\receipt.pdf"), 1, "application/pdf"), "receipt.pdf");
        assert_eq!(clean_name(Some("../../etc/passwd"), 1, "text/plain"), "passwd");
        assert_eq!(clean_name(Some("a\"b;\r\nc.txt"), 1, "text/plain"), "abc.txt");
        assert_eq!(clean_name(Some(".htaccess"), 1, "text/plain"), "htaccess");
        assert_eq!(clean_name(Some("  "), 3, "image/png"), "file-3.png");
        assert_eq!(clean_name(None, 2, "application/x-thing"), "file-2");
        assert_eq!(clean_name(Some("收据.pdf"), 1, "application/pdf"), "收据.pdf");
        let long = format!("{}.jpeg", "x".repeat(300));
        let cut = clean_name(Some(&long), 1, "image/jpeg");
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.ends_with(".jpeg"));
    }

    #[test]
    fn types_are_cleaned_and_only_harmless_ones_are_served_as_themselves() {
        assert_eq!(clean_type("Image/PNG; name=\"a.png\""), "image/png");
        assert_eq!(clean_type("nonsense"), "application/octet-stream");
        assert_eq!(clean_type("text/html\r\nX-Evil: 1"), "application/octet-stream");
        assert_eq!(served_type("image/png"), "image/png");
        assert_eq!(served_type("text/plain"), "text/plain; charset=utf-8");
        for risky in ["text/html", "image/svg+xml", "application/xhtml+xml", "application/javascript", "text/xml"] {
            assert_eq!(served_type(risky), "application/octet-stream", "{risky}");
        }
    }

    #[test]
    fn downloads_are_always_attachments_with_an_encoded_name() {
        assert_eq!(disposition("receipt.pdf"), "attachment; filename=\"receipt.pdf\"; filename*=UTF-8''receipt.pdf");
        assert_eq!(
            disposition("收据 1.pdf"),
            "attachment; filename=\"__ 1.pdf\"; filename*=UTF-8''%E6%94%B6%E6%8D%AE%201.pdf"
        );
    }

    #[test]
    fn files_over_the_limits_are_named_not_kept() {
        let mut files = vec![file("big.png", MAX_ATTACHMENT_BYTES + 1)];
        files.extend((0..MAX_ATTACHMENTS + 1).map(|i| file(&format!("{i}.png"), 10)));
        let (kept, refused) = keep(files);
        assert_eq!(kept.len(), MAX_ATTACHMENTS);
        assert_eq!(refused, vec![("big.png".into(), NotKept::TooLarge), ("10.png".into(), NotKept::TooMany)]);
        assert_eq!(
            not_kept_note(&refused).as_deref(),
            Some("[Attachments not kept: big.png (over 8 MB), 10.png (more than 10 files)]")
        );
        assert_eq!(not_kept_note(&[]), None);
    }

    #[test]
    fn a_message_takes_ten_files_of_eight_megabytes_and_sixteen_in_all() {
        let words = |files: &[IncomingFile], lang: &str| refused(sizes(files)).map(|r| r.in_language(lang));
        assert_eq!(refused(sizes(&[file("a.png", 10), file("b.png", MAX_ATTACHMENT_BYTES)])), None);
        let big = [file("big.png", MAX_ATTACHMENT_BYTES + 1)];
        assert_eq!(refused(sizes(&big)), Some(Refused::TooLarge { name: "big.png".into() }));
        assert_eq!(words(&big, "en").as_deref(), Some("big.png is over 8 MB"));
        assert_eq!(words(&big, "zh-CN").as_deref(), Some("big.png 超过 8 MB，无法发送。"));
        let eleven: Vec<IncomingFile> = (0..11).map(|i| file(&format!("{i}.png"), 1)).collect();
        assert_eq!(words(&eleven, "en").as_deref(), Some("at most 10 files go with one message"));
        assert_eq!(words(&eleven, "zh").as_deref(), Some("一条消息最多附带 10 个文件。"));
        // Just over the limit reads as over it, never as the limit.
        let three = [file("a", MAX_ATTACHMENT_BYTES), file("b", MAX_ATTACHMENT_BYTES), file("c", 1)];
        assert_eq!(
            words(&three, "en").as_deref(),
            Some("the files come to 16.1 MB together; one message carries at most 16 MB")
        );
        assert_eq!(words(&three, "zh").as_deref(), Some("这些文件共 16.1 MB，一条消息最多附带 16 MB。"));
        assert_eq!(megabytes_rounded_up(3 * 1024 * 1024), "3.0 MB");
        assert_eq!(without_text(&three[..2]), "[Sent without text: a, b]");
    }

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(size_in_words(512), "512 bytes");
        assert_eq!(size_in_words(1500), "2 KB");
        assert_eq!(size_in_words(3_565_158), "3.4 MB");
    }
}
