//! Showing times and durations.

/// "5 min ago", "3 h ago", "2 d ago".
pub fn ago(ms: i64) -> String {
    let now = js_sys::Date::now() as i64;
    let m = (now - ms).max(0) / 60_000;
    if m < 1 {
        "just now".into()
    } else if m < 60 {
        format!("{m} min ago")
    } else if m < 48 * 60 {
        format!("{} h ago", m / 60)
    } else {
        format!("{} d ago", m / (24 * 60))
    }
}

/// A duration in minutes as "45 min", "3.5 h", "2.1 d".
pub fn minutes(m: f64) -> String {
    deflect_shared::metrics::minutes_in_words(m)
}

/// The SLA clock as text: "28 min left", "breached 2 h ago", "met".
pub fn sla(state: &str, minutes_left: Option<i64>) -> String {
    match (state, minutes_left) {
        ("running", Some(m)) => format!("{} left", minutes(m as f64)),
        ("breached", Some(m)) => format!("breached {} ago", minutes((-m) as f64)),
        ("paused", Some(m)) => format!("paused, {} left", minutes(m as f64)),
        _ => "met".into(),
    }
}

/// Local date and time.
pub fn stamp(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}
