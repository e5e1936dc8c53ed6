//! Lists read a page at a time: where the agent is in one, the page size
//! they chose (kept in this browser), and the bar that moves between pages.
//! The edge links each page to the next (`Link: rel="next"`); going back
//! retraces the pages the agent went through.

use crate::api::Page;
use crate::storage;
use leptos::prelude::*;

/// The page sizes an agent can choose.
const PAGE_SIZES: [u32; 4] = [25, 50, 100, 200];
const DEFAULT_PAGE_SIZE: u32 = 200;

/// Where an agent is in one list.
#[derive(Clone, Copy)]
pub struct Paging {
    /// Items a page holds.
    per_page: RwSignal<u32>,
    /// The pages after the first that the agent went on to, in order; the
    /// last is the one shown.
    later: RwSignal<Vec<String>>,
    /// Where this browser keeps the page size.
    key: &'static str,
}

impl Paging {
    /// A list at its first page, with the page size kept under `key`.
    pub fn new(key: &'static str) -> Paging {
        let chosen = storage::get(key).and_then(|p| p.parse::<u32>().ok()).filter(|p| PAGE_SIZES.contains(p));
        Paging { per_page: RwSignal::new(chosen.unwrap_or(DEFAULT_PAGE_SIZE)), later: RwSignal::new(Vec::new()), key }
    }

    /// Items a page holds (tracked).
    pub fn per_page(&self) -> u32 {
        self.per_page.get()
    }

    /// The path to read (tracked): `first`, the first page's, or the page
    /// the agent went on to.
    pub fn path(&self, first: String) -> String {
        self.later.get().last().cloned().unwrap_or(first)
    }

    /// Back to the first page, as after a change of filter.
    pub fn restart(&self) {
        self.later.set(Vec::new());
    }
}

/// "Tickets 26–50 of 60" for the page after `earlier` full pages (items
/// that moved meanwhile can make it approximate; the total is exact).
fn range_text(nouns: (&str, &str), earlier: usize, per_page: u32, shown: usize, total: Option<u64>) -> String {
    let first = earlier * per_page as usize + 1;
    let total = total.map(|t| format!(" of {t}")).unwrap_or_default();
    match shown {
        0 if earlier == 0 => String::new(),
        0 => format!("Nothing more{total}"),
        1 => format!("{} {first}{total}", nouns.0),
        n => format!("{} {first}–{}{total}", nouns.1, first + n - 1),
    }
}

/// The bar under a list: which items are shown of how many, the previous
/// and next pages, and the page size. Its controls' ids start with `id`
/// (`<id>-range`, `<id>-prev`, `<id>-next`, `<id>-per-page`).
#[component]
pub fn Pager<T>(
    paging: Paging,
    /// The page shown.
    page: RwSignal<Option<Result<Page<T>, String>>>,
    /// What the list holds, one and many, capitalised ("Ticket", "Tickets").
    nouns: (&'static str, &'static str),
    /// The bar's name for screen readers.
    label: &'static str,
    id: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let Paging { per_page, later, key } = paging;
    let next = move || page.with(|p| p.as_ref().and_then(|p| p.as_ref().ok()).and_then(|p| p.next.clone()));
    let range = move || {
        page.with(|p| match p {
            Some(Ok(p)) => range_text(nouns, later.get().len(), per_page.get(), p.items.len(), p.total),
            _ => String::new(),
        })
    };
    let size_id = format!("{id}-per-page");
    view! {
        <nav class="pager" aria-label=label>
            <span id=format!("{id}-range") class="range" aria-live="polite">{range}</span>
            <button type="button" id=format!("{id}-prev") disabled=move || later.get().is_empty()
                on:click=move |_| later.update(|l| { l.pop(); })>"Previous page"</button>
            <button type="button" id=format!("{id}-next") disabled=move || next().is_none()
                on:click=move |_| {
                    if let Some(n) = next() {
                        later.update(|l| l.push(n));
                    }
                }>"Next page"</button>
            <label for=size_id.clone()>"Per page"</label>
            <select id=size_id on:change=move |ev| {
                if let Ok(n) = event_target_value(&ev).parse::<u32>() {
                    storage::set(key, &n.to_string());
                    per_page.set(n);
                    later.set(Vec::new());
                }
            }>
                {PAGE_SIZES.iter().map(|n| view! {
                    <option value=n.to_string() selected=*n == per_page.get_untracked()>{n.to_string()}</option>
                }).collect_view()}
            </select>
        </nav>
    }
}
