//! Small SVG charts: stacked daily bars with a legend, drawn from data.

use leptos::prelude::*;

/// A stacked bar chart: one bar per day, one stack segment per series.
#[component]
pub fn StackedBars(
    /// Chart title (also its accessible name).
    title: &'static str,
    /// Day labels, oldest first.
    days: Vec<String>,
    /// Series names and CSS classes.
    series: Vec<(&'static str, &'static str)>,
    /// `values[day][series]`.
    values: Vec<Vec<u64>>,
) -> impl IntoView {
    let w = 640.0f64;
    let h = 180.0f64;
    let max = values.iter().map(|v| v.iter().sum::<u64>()).max().unwrap_or(0).max(1) as f64;
    let n = days.len().max(1) as f64;
    let bw = (w / n) * 0.8;
    let mut rects = Vec::new();
    for (i, day) in values.iter().enumerate() {
        let x = i as f64 * (w / n) + (w / n) * 0.1;
        let mut y = h;
        for (s, v) in day.iter().enumerate() {
            if *v == 0 {
                continue;
            }
            let bh = (*v as f64 / max) * (h - 10.0);
            y -= bh;
            let class = series[s].1;
            let label = format!("{}: {} {}", days[i], v, series[s].0);
            rects.push(view! { <rect class=class x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{bw:.1}") height=format!("{bh:.1}")><title>{label}</title></rect> });
        }
    }
    let first = days.first().cloned().unwrap_or_default();
    let last = days.last().cloned().unwrap_or_default();
    let total: u64 = values.iter().flatten().sum();
    view! {
        <figure class="chart">
            <figcaption>{title}{format!(" — {total} in all")}</figcaption>
            <svg viewBox=format!("0 0 {w} {}", h + 20.0) role="img" aria-label=title preserveAspectRatio="none">
                {rects}
                <text x="0" y=format!("{}", h + 16.0) class="axis">{first}</text>
                <text x=format!("{w}") y=format!("{}", h + 16.0) class="axis" text-anchor="end">{last}</text>
                <text x="0" y="10" class="axis">{format!("max {max:.0}/day")}</text>
            </svg>
            <ul class="legend">
                {series.iter().map(|(name, class)| view! { <li><span class=format!("swatch {class}")></span>{*name}</li> }).collect_view()}
            </ul>
        </figure>
    }
}

/// A horizontal gauge for a rate (0..=1).
#[component]
pub fn Gauge(
    /// Label.
    label: &'static str,
    /// The rate, if known.
    rate: Option<f64>,
    /// What it counts, in words.
    detail: String,
) -> impl IntoView {
    let pct = rate.map(|r| (r * 100.0).clamp(0.0, 100.0));
    view! {
        <div class="card">
            <div class="card-label">{label}</div>
            <div class="card-value" data-metric=label>{pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())}</div>
            <svg viewBox="0 0 100 6" class="gauge" role="img" aria-label=format!("{label}: {}", pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "no data".into())) preserveAspectRatio="none">
                <rect x="0" y="0" width="100" height="6" class="gauge-bg"></rect>
                <rect x="0" y="0" width=format!("{:.1}", pct.unwrap_or(0.0)) height="6" class="gauge-fg"></rect>
            </svg>
            <div class="card-detail">{detail}</div>
        </div>
    }
}
