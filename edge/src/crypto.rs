//! Cryptography through the runtime's WebCrypto (`crypto.subtle`): random
//! bytes, SHA-256, HMAC, PBKDF2 password hashes and AES-GCM encryption at
//! rest. WebCrypto runs natively in workerd, so none of this is compiled into
//! the wasm.

use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// PBKDF2 iterations: the most workerd allows.
pub(crate) const PBKDF2_ITERATIONS: u32 = 100_000;

fn js_err(what: &str) -> impl Fn(JsValue) -> AppError + '_ {
    move |e| AppError::Internal(format!("webcrypto {what}: {e:?}"))
}

fn crypto() -> AppResult<JsValue> {
    Reflect::get(&js_sys::global(), &"crypto".into()).map_err(js_err("crypto"))
}

fn subtle() -> AppResult<JsValue> {
    Reflect::get(&crypto()?, &"subtle".into()).map_err(js_err("subtle"))
}

async fn call(method: &str, args: &[JsValue]) -> AppResult<JsValue> {
    let subtle = subtle()?;
    let f: js_sys::Function =
        Reflect::get(&subtle, &method.into()).map_err(js_err(method))?.dyn_into().map_err(js_err(method))?;
    let args: Array = args.iter().collect();
    let promise: Promise = f.apply(&subtle, &args).map_err(js_err(method))?.dyn_into().map_err(js_err(method))?;
    JsFuture::from(promise).await.map_err(js_err(method))
}

fn object(pairs: &[(&str, JsValue)]) -> AppResult<Object> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).map_err(js_err("object"))?;
    }
    Ok(o)
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).into()
}

fn to_vec(v: JsValue) -> Vec<u8> {
    Uint8Array::new(&v).to_vec()
}

/// `n` bytes from the runtime's CSPRNG.
pub(crate) fn random_bytes(n: usize) -> AppResult<Vec<u8>> {
    let c: web_sys::Crypto = crypto()?.unchecked_into();
    let mut buf = vec![0u8; n];
    c.get_random_values_with_u8_array(&mut buf).map_err(js_err("random"))?;
    Ok(buf)
}

/// A random id: 16 bytes as 32 hex characters.
pub(crate) fn new_id() -> AppResult<String> {
    Ok(hex(&random_bytes(16)?))
}

/// A random secret token: 32 bytes, URL-safe base64.
pub(crate) fn new_token() -> AppResult<String> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(32)?))
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 as hex.
pub(crate) async fn sha256_hex(data: &[u8]) -> AppResult<String> {
    let out = call("digest", &["SHA-256".into(), bytes(data)]).await?;
    Ok(hex(&to_vec(out)))
}

async fn hmac_key(key: &[u8], hash: &str, usage: &str) -> AppResult<JsValue> {
    let alg = object(&[("name", "HMAC".into()), ("hash", hash.into())])?;
    let usages: Array = [JsValue::from(usage)].iter().collect();
    call("importKey", &["raw".into(), bytes(key), alg.into(), false.into(), usages.into()]).await
}

/// HMAC-SHA256.
pub(crate) async fn hmac(key: &[u8], data: &[u8]) -> AppResult<Vec<u8>> {
    let k = hmac_key(key, "SHA-256", "sign").await?;
    let out = call("sign", &["HMAC".into(), k, bytes(data)]).await?;
    Ok(to_vec(out))
}

/// HMAC-SHA1, which authenticator apps use for their codes (RFC 6238).
pub(crate) async fn hmac_sha1(key: &[u8], data: &[u8]) -> AppResult<[u8; 20]> {
    let k = hmac_key(key, "SHA-1", "sign").await?;
    let out = to_vec(call("sign", &["HMAC".into(), k, bytes(data)]).await?);
    out.try_into().map_err(|_| AppError::Internal("HMAC-SHA1 did not give 20 bytes".into()))
}

/// Constant-time comparison.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn pbkdf2(password: &str, salt: &[u8], iterations: u32) -> AppResult<Vec<u8>> {
    let usages: Array = [JsValue::from("deriveBits")].iter().collect();
    let key =
        call("importKey", &["raw".into(), bytes(password.as_bytes()), "PBKDF2".into(), false.into(), usages.into()])
            .await?;
    let params = object(&[
        ("name", "PBKDF2".into()),
        ("hash", "SHA-256".into()),
        ("salt", bytes(salt)),
        ("iterations", iterations.into()),
    ])?;
    let out = call("deriveBits", &[params.into(), key, 256.into()]).await?;
    Ok(to_vec(out))
}

/// Hashes a password: `pbkdf2-sha256$iterations$salt$hash` (base64).
pub(crate) async fn hash_password(password: &str) -> AppResult<String> {
    let salt = random_bytes(16)?;
    let hash = pbkdf2(password, &salt, PBKDF2_ITERATIONS).await?;
    Ok(format!("pbkdf2-sha256${PBKDF2_ITERATIONS}${}${}", STANDARD.encode(&salt), STANDARD.encode(&hash)))
}

/// Checks a password against a stored hash.
pub(crate) async fn verify_password(password: &str, stored: &str) -> AppResult<bool> {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, iterations, salt, hash] = parts.as_slice() else {
        return Ok(false);
    };
    let (Ok(iterations), Ok(salt), Ok(hash)) =
        (iterations.parse::<u32>(), STANDARD.decode(salt), STANDARD.decode(hash))
    else {
        return Ok(false);
    };
    if *scheme != "pbkdf2-sha256" || iterations == 0 || iterations > PBKDF2_ITERATIONS {
        return Ok(false);
    }
    let got = pbkdf2(password, &salt, iterations).await?;
    Ok(same(&got, &hash))
}

/// Keys derived from the `DEFLECT_DATA_KEY` secret (32 bytes, base64), one
/// per purpose, so the lookup hash, the encryption key, the signing key,
/// the webhook secrets and the sites' identity secrets differ.
#[derive(Clone)]
pub(crate) struct DataKey {
    lookup: Vec<u8>,
    sign: Vec<u8>,
    encrypt: Vec<u8>,
    webhook: Vec<u8>,
    identity: Vec<u8>,
}

impl DataKey {
    pub(crate) async fn from_base64(s: &str) -> AppResult<DataKey> {
        let master = match STANDARD.decode(s.trim()) {
            Ok(k) if k.len() == 32 => k,
            _ => return Err(AppError::Internal("DEFLECT_DATA_KEY must be 32 bytes in base64".into())),
        };
        Ok(DataKey {
            lookup: hmac(&master, b"lookup").await?,
            sign: hmac(&master, b"sign").await?,
            encrypt: hmac(&master, b"encrypt").await?,
            webhook: hmac(&master, b"webhook").await?,
            identity: hmac(&master, b"identity").await?,
        })
    }

    /// Deterministic keyed hash of a value (for lookups such as e-mail).
    pub(crate) async fn lookup_hash(&self, value: &str) -> AppResult<String> {
        Ok(hex(&hmac(&self.lookup, value.as_bytes()).await?))
    }

    /// Signs a message for a customer link or token: URL-safe base64.
    pub(crate) async fn sign(&self, message: &str) -> AppResult<String> {
        Ok(URL_SAFE_NO_PAD.encode(hmac(&self.sign, message.as_bytes()).await?))
    }

    /// Checks a signature from [`DataKey::sign`].
    pub(crate) async fn verify(&self, message: &str, signature: &str) -> AppResult<bool> {
        let expected = self.sign(message).await?;
        Ok(same(expected.as_bytes(), signature.as_bytes()))
    }

    /// The webhook signing secret of a version (each rotation is a new
    /// version): `whsec_` and base64url. Receivers use its text as the
    /// HMAC key.
    pub(crate) async fn webhook_secret(&self, version: u32) -> AppResult<String> {
        let raw = hmac(&self.webhook, format!("webhook secret v{version}").as_bytes()).await?;
        Ok(format!("whsec_{}", URL_SAFE_NO_PAD.encode(raw)))
    }

    /// A site's identity secret of a version (each rotation is a new
    /// version): `idsec_` and base64url. Its text is the HMAC key the
    /// site's server signs customers' e-mails with.
    pub(crate) async fn identity_secret(&self, site: &str, version: u32) -> AppResult<String> {
        let raw = hmac(&self.identity, format!("identity secret {site} v{version}").as_bytes()).await?;
        Ok(format!("{}{}", deflect_shared::identity::SECRET_PREFIX, URL_SAFE_NO_PAD.encode(raw)))
    }

    async fn aes_key(&self) -> AppResult<JsValue> {
        let raw = &self.encrypt;
        let usages: Array = [JsValue::from("encrypt"), JsValue::from("decrypt")].iter().collect();
        call("importKey", &["raw".into(), bytes(raw), "AES-GCM".into(), false.into(), usages.into()]).await
    }

    /// AES-256-GCM with a random nonce: base64(nonce ‖ ciphertext).
    pub(crate) async fn encrypt(&self, plain: &str) -> AppResult<String> {
        self.seal(plain.as_bytes()).await
    }

    /// Reverses [`DataKey::encrypt`].
    pub(crate) async fn decrypt(&self, stored: &str) -> AppResult<String> {
        String::from_utf8(self.open(stored).await?).map_err(|_| AppError::Internal("plaintext is not UTF-8".into()))
    }

    /// [`DataKey::encrypt`] for bytes, in base64 for a D1 text column.
    pub(crate) async fn seal(&self, plain: &[u8]) -> AppResult<String> {
        Ok(STANDARD.encode(self.seal_raw(plain).await?))
    }

    /// AES-256-GCM with a random nonce: nonce ‖ ciphertext, as bytes (a
    /// file's R2 object).
    pub(crate) async fn seal_raw(&self, plain: &[u8]) -> AppResult<Vec<u8>> {
        let nonce = random_bytes(12)?;
        let params = object(&[("name", "AES-GCM".into()), ("iv", bytes(&nonce))])?;
        let out = call("encrypt", &[params.into(), self.aes_key().await?, bytes(plain)]).await?;
        let mut all = nonce;
        all.extend(to_vec(out));
        Ok(all)
    }

    /// Reverses [`DataKey::seal`].
    pub(crate) async fn open(&self, stored: &str) -> AppResult<Vec<u8>> {
        let all = STANDARD.decode(stored).map_err(|_| AppError::Internal("ciphertext is not base64".into()))?;
        self.open_raw(&all).await
    }

    /// Reverses [`DataKey::seal_raw`].
    pub(crate) async fn open_raw(&self, all: &[u8]) -> AppResult<Vec<u8>> {
        if all.len() < 12 + 16 {
            return Err(AppError::Internal("ciphertext is too short".into()));
        }
        let params = object(&[("name", "AES-GCM".into()), ("iv", bytes(&all[..12]))])?;
        let out = call("decrypt", &[params.into(), self.aes_key().await?, bytes(&all[12..])]).await?;
        Ok(to_vec(out))
    }
}
