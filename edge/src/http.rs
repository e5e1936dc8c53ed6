//! Reading requests safely and writing responses.
//!
//! Every body goes through [`Req::json`]: a size limit, a content type,
//! UTF-8, then JSON into a type with `deny_unknown_fields`. Malformed input
//! becomes a 4xx [`AppError`], never a panic.

use crate::error::{AppError, AppResult};
use deflect_shared::api::{AFTER, Attachment, TOTAL_COUNT, next_link_header};
use deflect_shared::attachment::{self, IncomingFile};
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{FormEntry, Method, Request, Response};

/// Default body limit for JSON requests: the largest valid request (a
/// 10,000-character message) fits even when every character is sent as a
/// JSON `\u` escape pair (12 bytes), so the size cap never refuses what the
/// field limits allow.
pub(crate) const MAX_JSON: usize = 256 * 1024;
/// Body limit for KB imports.
pub(crate) const MAX_IMPORT: usize = 4 * 1024 * 1024;

/// A request with its path split and its query parsed.
pub(crate) struct Req {
    pub(crate) method: Method,
    /// False for a method the runtime's `Method` cannot name (such as
    /// QUERY), which it would otherwise read as GET.
    pub(crate) method_known: bool,
    pub(crate) segments: Vec<String>,
    query: Vec<(String, String)>,
    inner: Request,
}

impl Req {
    pub(crate) fn new(inner: Request) -> AppResult<Req> {
        let url = inner.url()?;
        let segments = url
            .path_segments()
            .map(|s| s.filter(|x| !x.is_empty()).map(percent_decode).collect::<Option<Vec<_>>>())
            .unwrap_or(Some(Vec::new()))
            .ok_or_else(|| AppError::bad("invalid_path", "the path is not valid UTF-8"))?;
        let query = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let method = inner.method();
        let method_known = inner.inner().method().eq_ignore_ascii_case(method.as_ref());
        Ok(Req { method, method_known, segments, query, inner })
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.inner.headers().get(name).ok().flatten()
    }

    /// The `Idempotency-Key` header: 1 to 100 letters, digits, `-` or `_`.
    pub(crate) fn idempotency_key(&self) -> AppResult<String> {
        self.optional_idempotency_key()?.ok_or_else(|| {
            AppError::bad(
                "missing_idempotency_key",
                "send an Idempotency-Key header (1 to 100 letters, digits, '-' or '_')",
            )
        })
    }

    /// The `Idempotency-Key` header where it may be left out.
    pub(crate) fn optional_idempotency_key(&self) -> AppResult<Option<String>> {
        let Some(key) = self.header("idempotency-key") else { return Ok(None) };
        if key.is_empty() || key.len() > 100 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::bad(
                "invalid_idempotency_key",
                "the Idempotency-Key must be 1 to 100 letters, digits, '-' or '_'",
            ));
        }
        Ok(Some(key))
    }

    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// This request's path and query with `key` set to `value` (added, or
    /// in place of its value): a link to the next page of a list.
    pub(crate) fn path_with(&self, key: &str, value: &str) -> AppResult<String> {
        let mut url = self.inner.url()?;
        let pairs: Vec<(String, String)> = self.query.iter().filter(|(k, _)| k != key).cloned().collect();
        url.query_pairs_mut().clear().extend_pairs(pairs).append_pair(key, value);
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// A whole-number query parameter within `range`, `default` when it is
    /// absent; anything else is a 422 that names the parameter.
    pub(crate) fn query_number(&self, key: &str, range: std::ops::RangeInclusive<u32>, default: u32) -> AppResult<u32> {
        match self.query(key) {
            None => Ok(default),
            Some(v) => v.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                AppError::invalid(
                    key,
                    format!("{key}: must be a whole number from {} to {}", range.start(), range.end()),
                )
            }),
        }
    }

    /// The client address as Cloudflare reports it.
    pub(crate) fn client_ip(&self) -> String {
        self.header("cf-connecting-ip").unwrap_or_else(|| "unknown".into())
    }

    pub(crate) fn origin(&self) -> Option<String> {
        self.header("origin").map(|o| o.to_ascii_lowercase())
    }

    /// One file sent as the body, its name in `?name=` and its type in
    /// `Content-Type` (an agent's upload, or a file from the widget).
    pub(crate) async fn uploaded_file(&mut self) -> AppResult<IncomingFile> {
        let name = self
            .query("name")
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.chars().count() <= 255)
            .map(str::to_string)
            .ok_or_else(|| AppError::invalid("name", "name: give the file's name (1 to 255 characters) as ?name="))?;
        let content_type = attachment::clean_type(&self.header("content-type").unwrap_or_default());
        let bytes = self.bytes(attachment::MAX_ATTACHMENT_BYTES).await?;
        if bytes.is_empty() {
            return Err(AppError::invalid("body", "the file is empty"));
        }
        Ok(IncomingFile { name: attachment::clean_name(Some(&name), 1, &content_type), content_type, bytes })
    }

    /// The raw body, at most `limit` bytes.
    pub(crate) async fn bytes(&mut self, limit: usize) -> AppResult<Vec<u8>> {
        if let Some(len) = self.header("content-length").and_then(|v| v.parse::<usize>().ok())
            && len > limit
        {
            return Err(AppError::TooLarge(limit));
        }
        let body = self.inner.bytes().await.map_err(|_| AppError::bad("invalid_body", "the body could not be read"))?;
        if body.len() > limit {
            return Err(AppError::TooLarge(limit));
        }
        Ok(body)
    }

    /// The body as UTF-8 text, at most `limit` bytes.
    pub(crate) async fn text(&mut self, limit: usize) -> AppResult<String> {
        let body = self.bytes(limit).await?;
        String::from_utf8(body).map_err(|e| {
            AppError::bad(
                "invalid_encoding",
                format!("the body is not valid UTF-8 (bad byte at offset {})", e.utf8_error().valid_up_to()),
            )
        })
    }

    /// A form the browser posted, `application/x-www-form-urlencoded` (at
    /// most `limit` bytes) or `multipart/form-data` (at most `limit` bytes
    /// more than the files of one message): the text fields named in
    /// `fields`, and the non-empty files of the field `files`.
    pub(crate) async fn form(&mut self, limit: usize, fields: &[&str], files: &str) -> AppResult<Form> {
        let ct = self.header("content-type").unwrap_or_default().to_ascii_lowercase();
        if ct.starts_with("application/x-www-form-urlencoded") {
            let text = self.text(limit).await?;
            let fields = url::form_urlencoded::parse(text.as_bytes()).into_owned().collect();
            return Ok(Form { fields, files: Vec::new() });
        }
        if !ct.starts_with("multipart/form-data") {
            return Err(AppError::UnsupportedMediaType);
        }
        let most = limit + attachment::MAX_MESSAGE_FILES_BYTES;
        match self.header("content-length").and_then(|v| v.parse::<usize>().ok()) {
            Some(len) if len > most => return Err(AppError::TooLarge(most)),
            Some(_) => {}
            None => return Err(AppError::bad("missing_length", "send the form with its Content-Length")),
        }
        let form = self
            .inner
            .form_data()
            .await
            .map_err(|_| AppError::bad("invalid_body", "the form could not be read as multipart/form-data"))?;
        let mut out = Form::default();
        for name in fields {
            if let Some(FormEntry::Field(value)) = form.get(name) {
                out.fields.push(((*name).to_string(), value));
            }
        }
        for entry in form.get_all(files).unwrap_or_default() {
            let FormEntry::File(file) = entry else { continue };
            if file.name().is_empty() && file.size() == 0 {
                // The browser's entry for a file input left empty.
                continue;
            }
            let content_type = attachment::clean_type(&file.type_());
            let bytes = file.bytes().await.map_err(|_| AppError::bad("invalid_body", "a file could not be read"))?;
            let name = attachment::clean_name(Some(&file.name()), out.files.len() + 1, &content_type);
            out.files.push(IncomingFile { name, content_type, bytes });
        }
        Ok(out)
    }

    /// The body as JSON of type `T`; also returns the raw text.
    pub(crate) async fn json_with_text<T: DeserializeOwned>(&mut self, limit: usize) -> AppResult<(T, String)> {
        let ct = self.header("content-type").unwrap_or_default().to_ascii_lowercase();
        if !ct.starts_with("application/json") {
            return Err(AppError::UnsupportedMediaType);
        }
        let text = self.text(limit).await?;
        let value = parse_json(&text)?;
        Ok((value, text))
    }

    pub(crate) async fn json<T: DeserializeOwned>(&mut self) -> AppResult<T> {
        Ok(self.json_with_text(MAX_JSON).await?.0)
    }
}

/// A posted form: its text fields and its files.
#[derive(Default)]
pub(crate) struct Form {
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) files: Vec<IncomingFile>,
}

impl Form {
    /// A field's value.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parses a JSON object: syntax errors are 400, shape errors (unknown
/// fields, wrong types, missing fields, an array where the object belongs)
/// are 422.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str) -> AppResult<T> {
    let value = serde_json::from_str(text).map_err(|e| {
        let msg = deflect_shared::json_problem(&e);
        if e.is_data() {
            AppError::Invalid { field: None, message: msg }
        } else {
            AppError::bad("invalid_json", format!("the body is not valid JSON: {msg}"))
        }
    })?;
    // serde reads a struct from an array of its fields too; the API takes
    // objects only.
    if !text.trim_start().starts_with('{') {
        return Err(AppError::Invalid { field: None, message: "the body must be a JSON object".into() });
    }
    Ok(value)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Headers every API response carries.
pub(crate) fn secure(mut resp: Response) -> worker::Result<Response> {
    let h = resp.headers_mut();
    h.set("x-content-type-options", "nosniff")?;
    h.set("referrer-policy", "no-referrer")?;
    if h.get("cache-control")?.is_none() {
        h.set("cache-control", "no-store")?;
    }
    Ok(resp)
}

/// A JSON response.
pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> AppResult<Response> {
    let mut r = Response::ok(serde_json::to_string(value)?)?.with_status(status);
    r.headers_mut().set("content-type", "application/json; charset=utf-8")?;
    Ok(r)
}

/// A kept file, to save: always as an attachment, under a CSP that runs
/// nothing, private to this browser, with only harmless types served as
/// themselves (an HTML or SVG file comes as `application/octet-stream`).
pub(crate) fn file(file: &Attachment, bytes: Vec<u8>) -> AppResult<Response> {
    let mut resp = Response::from_bytes(bytes)?;
    let h = resp.headers_mut();
    h.set("content-type", attachment::served_type(&file.content_type))?;
    h.set("content-disposition", &attachment::disposition(&file.name))?;
    h.set("content-security-policy", "default-src 'none'; sandbox")?;
    h.set("cache-control", "private, no-store")?;
    Ok(resp)
}

/// A page of a list: `X-Total-Count`, and a `Link` to the next page (this
/// request with `after` set to `next`) unless this is the last.
pub(crate) fn paged(mut resp: Response, req: &Req, total: u64, next: Option<String>) -> AppResult<Response> {
    resp.headers_mut().set(TOTAL_COUNT, &total.to_string())?;
    if let Some(cursor) = next {
        resp.headers_mut().set("link", &next_link_header(&req.path_with(AFTER, &cursor)?))?;
    }
    Ok(resp)
}

/// The answer to a request sent again under its `Idempotency-Key`: marked
/// `Idempotent-Replayed: true`.
pub(crate) fn replayed(mut resp: Response) -> AppResult<Response> {
    resp.headers_mut().set("idempotent-replayed", "true")?;
    Ok(resp)
}

/// An empty response.
pub(crate) fn empty(status: u16) -> AppResult<Response> {
    Ok(Response::empty()?.with_status(status))
}
