//! Random ids from the browser's CSPRNG.

/// 16 random bytes as 32 hex characters; falls back to time and
/// `Math.random` only if `crypto` is unavailable.
pub(crate) fn id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = ((js_sys::Math::random() * 256.0) as u8) ^ (js_sys::Date::now() as u64 >> (i % 8)) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
