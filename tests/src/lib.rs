//! The local edge, as tests and `cargo xtask run` start it: workerd through
//! wrangler, with local D1 and KV persisted in a folder, migrations applied
//! and the demo KB seeded through the real API.
//!
//! Nothing here mocks D1 or KV: every call goes over HTTP to the runtime
//! Cloudflare deploys.

pub mod sent_mail;
pub mod wrangler_log;

use serde_json::{Value, json};
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The admin the local edge creates on first login (from `.dev.vars`).
pub const ADMIN_EMAIL: &str = "admin@deflect.local";

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap_or_else(|_| PathBuf::from(".."))
}

/// A binary installed by `npm ci`.
pub fn node_bin(name: &str) -> PathBuf {
    root().join("node_modules/.bin").join(name)
}

/// Reads `edge/.dev.vars`, creating it with fresh random secrets first when
/// it is missing. Returns the admin password.
pub fn dev_vars() -> std::io::Result<String> {
    let path = root().join("edge/.dev.vars");
    if !path.exists() {
        let mut key = [0u8; 32];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
        let mut pw = [0u8; 12];
        std::fs::File::open("/dev/urandom")?.read_exact(&mut pw)?;
        let password: String = pw.iter().map(|b| format!("{b:02x}")).collect();
        let text = format!(
            "# Local secrets for wrangler dev; never commit this file.\n\
             DEFLECT_DATA_KEY={}\nDEFLECT_ADMIN_EMAIL={ADMIN_EMAIL}\nDEFLECT_ADMIN_PASSWORD={password}\n",
            base64(&key)
        );
        std::fs::write(&path, text)?;
    }
    let text = std::fs::read_to_string(&path)?;
    text.lines()
        .find_map(|l| l.strip_prefix("DEFLECT_ADMIN_PASSWORD="))
        .map(|p| p.trim().to_string())
        .ok_or_else(|| std::io::Error::other("edge/.dev.vars has no DEFLECT_ADMIN_PASSWORD"))
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A running local edge. Stopping it (or dropping it) ends wrangler and its
/// workerd children.
pub struct LocalEdge {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Where D1 and KV live.
    pub persist: PathBuf,
    /// Where wrangler's output goes.
    pub log: PathBuf,
    child: Option<Child>,
}

/// Runs a command to completion, failing with its output.
fn run(cmd: &mut Command, what: &str) -> Result<String, String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("{what}: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if out.status.success() { Ok(text) } else { Err(format!("{what} failed:\n{text}")) }
}

impl LocalEdge {
    /// Applies the migrations to `persist` and starts wrangler dev on
    /// `port`, waiting until it answers. The edge must be built
    /// (`cargo xtask build`).
    pub fn start(port: u16, persist: &Path) -> Result<LocalEdge, String> {
        LocalEdge::start_with(port, persist, &[])
    }

    /// [`LocalEdge::start`], with more `vars` for the worker (name, value).
    pub fn start_with(port: u16, persist: &Path, vars: &[(&str, &str)]) -> Result<LocalEdge, String> {
        let edge = root().join("edge");
        if !edge.join("build/index.js").exists() {
            return Err("the edge is not built; run `cargo xtask build` first".into());
        }
        dev_vars().map_err(|e| format!("edge/.dev.vars: {e}"))?;
        std::fs::create_dir_all(persist).map_err(|e| e.to_string())?;
        let persist = persist.canonicalize().map_err(|e| e.to_string())?;
        run(
            Command::new(node_bin("wrangler"))
                .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
                .arg(&persist)
                .current_dir(&edge)
                .env("CI", "true"),
            "wrangler d1 migrations apply",
        )?;
        let log = persist.join(format!("wrangler-{port}.log"));
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err_file = log_file.try_clone().map_err(|e| e.to_string())?;
        // setsid gives wrangler its own process group, so stopping it also
        // stops the workerd processes it starts.
        let child = Command::new("setsid")
            .arg(node_bin("wrangler"))
            .args([
                "dev",
                "--local",
                "--ip",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--test-scheduled",
                "--var",
                &format!("DEFLECT_PUBLIC_URL:http://127.0.0.1:{port}"),
            ])
            .args(vars.iter().flat_map(|(name, value)| ["--var".to_string(), format!("{name}:{value}")]))
            .arg("--persist-to")
            .arg(&persist)
            .current_dir(&edge)
            .env("CI", "true")
            .env("WRANGLER_SEND_METRICS", "false")
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .map_err(|e| format!("starting wrangler dev: {e}"))?;
        let mut edge = LocalEdge { url: format!("http://127.0.0.1:{port}"), persist, log, child: Some(child) };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(r) = ureq::get(&format!("{}/v1/health", edge.url)).call()
                && r.status() == 200
            {
                return Ok(edge);
            }
            if let Some(c) = edge.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                let log = std::fs::read_to_string(&edge.log).unwrap_or_default();
                return Err(format!("wrangler dev exited ({status}):\n{log}"));
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(&edge.log).unwrap_or_default();
                edge.stop();
                return Err(format!("the local edge did not answer within 90 s:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The process id of wrangler (its process group id).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops wrangler and workerd.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            // Wait until the port is free so a restart can bind it.
            let addr = self.url.trim_start_matches("http://").to_string();
            let deadline = Instant::now() + Duration::from_secs(10);
            while TcpStream::connect(&addr).is_ok() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// Runs SQL against this edge's local D1 and returns the rows.
    pub fn d1(&self, sql: &str) -> Result<Vec<Value>, String> {
        d1(&self.persist, sql)
    }
}

/// Runs SQL against the local D1 persisted in `persist`, through wrangler,
/// and returns the rows. This reads the same SQLite database the running
/// edge writes.
pub fn d1(persist: &Path, sql: &str) -> Result<Vec<Value>, String> {
    // Each call is a separate process opening the SQLite file the edge
    // also writes; one at a time, and again when SQLite says it is busy.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut attempt = 0;
    let out = loop {
        let result = run(
            Command::new(node_bin("wrangler"))
                .args(["d1", "execute", "DB", "--local", "--json", "--persist-to"])
                .arg(persist)
                .args(["--command", sql])
                .current_dir(root().join("edge"))
                .env("CI", "true"),
            "wrangler d1 execute",
        );
        match result {
            Err(e) if e.contains("SQLITE_BUSY") && attempt < 10 => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(200 * attempt));
            }
            other => break other?,
        }
    };
    let start = out.find('[').ok_or_else(|| format!("no JSON in wrangler output: {out}"))?;
    let v: Value = serde_json::from_str(&out[start..]).map_err(|e| format!("{e}: {out}"))?;
    Ok(v.get(0).and_then(|r| r.get("results")).and_then(Value::as_array).cloned().unwrap_or_default())
}

/// The object `key` of the local R2 bucket of files (`FILES`) persisted
/// in `persist`, through wrangler; `None` when there is none.
pub fn r2_object(persist: &Path, key: &str) -> Result<Option<Vec<u8>>, String> {
    let out = Command::new(node_bin("wrangler"))
        .args(["r2", "object", "get", &format!("deflect-files/{key}"), "--local", "--pipe", "--persist-to"])
        .arg(persist)
        .current_dir(root().join("edge"))
        .env("CI", "true")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("wrangler r2 object get: {e}"))?;
    let said = String::from_utf8_lossy(&out.stderr);
    match out.status.success() {
        true => Ok(Some(out.stdout)),
        false if said.contains("The specified key does not exist") => Ok(None),
        false => Err(format!("wrangler r2 object get failed:\n{said}")),
    }
}

/// Deletes the object `key` of the local R2 bucket of files.
pub fn r2_delete(persist: &Path, key: &str) -> Result<(), String> {
    run(
        Command::new(node_bin("wrangler"))
            .args(["r2", "object", "delete", &format!("deflect-files/{key}"), "--local", "--persist-to"])
            .arg(persist)
            .current_dir(root().join("edge"))
            .env("CI", "true"),
        "wrangler r2 object delete",
    )
    .map(drop)
}

/// Puts an object into the bucket of the local edge persisted in
/// `persist`, as the edge would.
pub fn r2_put(persist: &Path, key: &str, bytes: &[u8]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("deflect-r2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join(key.replace('/', "_"));
    std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let put = run(
        Command::new(node_bin("wrangler"))
            .args(["r2", "object", "put", &format!("deflect-files/{key}"), "--local", "--file"])
            .arg(&file)
            .arg("--persist-to")
            .arg(persist)
            .current_dir(root().join("edge"))
            .env("CI", "true"),
        "wrangler r2 object put",
    );
    let _ = std::fs::remove_file(&file);
    put.map(drop)
}

/// The value of `key` in the local KV namespace (`KV`) persisted in
/// `persist`, through wrangler, as text; `None` when there is none.
pub fn kv_get(persist: &Path, key: &str) -> Result<Option<String>, String> {
    let out = Command::new(node_bin("wrangler"))
        .args(["kv", "key", "get", key, "--binding", "KV", "--local", "--text", "--persist-to"])
        .arg(persist)
        .current_dir(root().join("edge"))
        .env("CI", "true")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("wrangler kv key get: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.success() {
        true if text.trim() == "Value not found" => Ok(None),
        true => Ok(Some(text)),
        false => Err(format!("wrangler kv key get failed:\n{}", String::from_utf8_lossy(&out.stderr))),
    }
}

/// Writes `value` as `key` in the local KV namespace persisted in
/// `persist`, behind the edge's back.
pub fn kv_put(persist: &Path, key: &str, value: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("deflect-kv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join(key.replace(['/', ':'], "_"));
    std::fs::write(&file, value).map_err(|e| format!("{}: {e}", file.display()))?;
    let put = run(
        Command::new(node_bin("wrangler"))
            .args(["kv", "key", "put", key, "--binding", "KV", "--local", "--path"])
            .arg(&file)
            .arg("--persist-to")
            .arg(persist)
            .current_dir(root().join("edge"))
            .env("CI", "true"),
        "wrangler kv key put",
    );
    let _ = std::fs::remove_file(&file);
    put.map(drop)
}

/// The edge the tests run against: `DEFLECT_URL`, set by `cargo xtask
/// test`, which starts a fresh local edge and seeds it.
pub fn edge_url() -> String {
    std::env::var("DEFLECT_URL")
        .expect("DEFLECT_URL is not set: run the tests with `cargo xtask test`, which starts the local edge")
}

/// Where the test edge keeps D1 and KV (`DEFLECT_PERSIST`).
pub fn edge_persist() -> PathBuf {
    PathBuf::from(std::env::var("DEFLECT_PERSIST").expect("DEFLECT_PERSIST is not set: run `cargo xtask test`"))
}

/// A string no other test uses, for markers and keys.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{}-{nanos:x}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A client logged in as the seeded admin.
pub fn admin(base: &str) -> Client {
    let c = Client::new(base).ip(&unique("admin"));
    let password = dev_vars().expect("edge/.dev.vars");
    c.login(ADMIN_EMAIL, &password);
    c
}

impl Drop for LocalEdge {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A small HTTP client that keeps the cookies the edge sets (an agent's
/// session, and the browser's device cookie).
///
/// The edge marks its cookies `Secure`; browsers send such cookies to
/// `http://127.0.0.1`, which they treat as a secure origin, but a plain
/// cookie jar would not, so this client keeps them itself.
pub struct Client {
    /// Base URL.
    pub base: String,
    agent: ureq::Agent,
    cookies: std::cell::RefCell<Vec<(String, String)>>,
    ip: Option<String>,
}

/// A response: status, headers of interest, and the body.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Body as text (invalid UTF-8 replaced).
    pub text: String,
    /// Body as bytes.
    pub bytes: Vec<u8>,
    /// Response headers, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// A header (the first, when it came more than once).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a header that may come more than once (`Set-Cookie`).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl Client {
    /// A client for `base` with its own cookie jar.
    pub fn new(base: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build();
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent: config.into(),
            cookies: std::cell::RefCell::new(Vec::new()),
            ip: None,
        }
    }

    /// Sends every request as coming from `ip` (the `cf-connecting-ip`
    /// header, which Cloudflare sets and wrangler passes through), so each
    /// test has its own rate-limit budget.
    pub fn ip(mut self, ip: &str) -> Client {
        self.ip = Some(ip.to_string());
        self
    }

    /// Sends a request; `body` is sent as-is with `content_type`. A GET or
    /// HEAD whose connection failed before any answer (a pooled connection
    /// the local proxy had closed) is sent again, up to twice, as browsers
    /// do; other methods are never repeated.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &[u8])>) -> Reply {
        let mut reply = self.send_once(method, path, headers, body);
        for _ in 0..2 {
            if reply.status != 0 || !matches!(method, "GET" | "HEAD") {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
            reply = self.send_once(method, path, headers, body);
        }
        reply
    }

    fn send_once(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &[u8])>) -> Reply {
        let url = format!("{}{}", self.base, path);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        let jar = self.cookie();
        if !jar.is_empty() && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("cookie")) {
            req = req.header("cookie", jar);
        }
        if let Some(ip) = &self.ip {
            req = req.header("cf-connecting-ip", ip.as_str());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let result = match body {
            Some((ct, bytes)) => {
                let r = req.header("content-type", ct).body(bytes.to_vec()).expect("valid request");
                self.agent.run(r)
            }
            None => self.agent.run(req.body(()).expect("valid request")),
        };
        match result {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let headers = resp
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                let bytes = resp.body_mut().with_config().limit(32 * 1024 * 1024).read_to_vec().unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let reply = Reply { status, text, bytes, headers };
                for set in reply.headers_named("set-cookie") {
                    self.keep_cookie(set);
                }
                reply
            }
            Err(e) => Reply { status: 0, text: e.to_string(), bytes: Vec::new(), headers: Vec::new() },
        }
    }

    /// The `Cookie` header this client sends: every cookie it keeps.
    pub fn cookie(&self) -> String {
        self.cookies.borrow().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Keeps (or, for an empty value or `Max-Age=0`, drops) the cookie a
    /// `Set-Cookie` header sets.
    fn keep_cookie(&self, set: &str) {
        let mut parts = set.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let gone = value.is_empty() || parts.any(|p| p.eq_ignore_ascii_case("max-age=0"));
        let mut jar = self.cookies.borrow_mut();
        jar.retain(|(k, _)| k != name);
        if !gone {
            jar.push((name.to_string(), value.to_string()));
        }
    }

    /// GET.
    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], None)
    }

    /// A JSON request from the dashboard (with the CSRF header).
    pub fn json(&self, method: &str, path: &str, body: &Value) -> Reply {
        let text = body.to_string();
        self.send(method, path, &[("x-deflect-csrf", "1")], Some(("application/json", text.as_bytes())))
    }

    /// Logs in; panics with the reply when it fails.
    pub fn login(&self, email: &str, password: &str) -> Value {
        let r = self.json("POST", "/v1/auth/login", &json!({ "email": email, "password": password }));
        assert_eq!(r.status, 200, "login failed: {}", r.text);
        r.json()
    }
}

/// The demo site's Markdown articles, `www/demo/kb/*.md`, sorted by name.
pub fn demo_articles() -> Vec<String> {
    let dir = root().join("www/demo/kb");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "md")).collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// Seeds a fresh edge: logs in as the admin, sets the demo site's allowed
/// origins, imports and publishes the demo KB. Idempotent.
pub fn seed(url: &str, extra_origins: &[String]) -> Result<(), String> {
    let password = dev_vars().map_err(|e| e.to_string())?;
    let c = Client::new(url);
    let r = c.json("POST", "/v1/auth/login", &json!({ "email": ADMIN_EMAIL, "password": password }));
    if r.status != 200 {
        return Err(format!("admin login failed ({}): {}", r.status, r.text));
    }
    let mut settings = c.get("/v1/admin/settings").json();
    let mut origins: Vec<String> = vec![url.to_string()];
    origins.extend(extra_origins.iter().cloned());
    if let Some(site) = settings["sites"].get_mut(0) {
        site["allowed_origins"] = json!(origins);
        site["name"] = json!("Acme Cloud");
    }
    let r = c.json("PUT", "/v1/admin/settings", &settings);
    if r.status != 200 {
        return Err(format!("saving settings failed ({}): {}", r.status, r.text));
    }
    let r =
        c.json("POST", "/v1/admin/articles/import?site=demo", &json!({ "markdown": demo_articles(), "publish": true }));
    if r.status != 200 {
        return Err(format!("importing the demo KB failed ({}): {}", r.status, r.text));
    }
    Ok(())
}
