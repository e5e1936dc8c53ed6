//! Choices an agent makes once and this browser keeps (localStorage):
//! desktop alerts on or off, how many tickets a queue page shows.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored choice under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Keeps a choice; a browser that keeps nothing (private mode, full
/// storage) just forgets it.
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}
