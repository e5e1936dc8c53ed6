//! The KB editor: articles with their history, Markdown import,
//! publishing, the questions the widget could not answer, and how each
//! article does.

use super::Notice;
use crate::api;
use crate::app::Session;
use crate::count::count;
use deflect_shared::api::{
    ArticleInput, ArticlePerformance, ArticleRevision, ArticleView, CategoryOrder, KbStatus, TryAnswer, TryQuestion,
    revision_etag, with_phrasings,
};
use deflect_shared::kb::by_category;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Deserialize)]
struct Closest {
    id: String,
    title: String,
    confidence: f32,
}

#[derive(Debug, Clone, Deserialize)]
struct Group {
    example: String,
    count: u64,
    questions: Vec<(String, u64)>,
    closest_article: Option<Closest>,
}

fn split(s: &str, sep: char) -> Vec<String> {
    s.split(sep).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

#[component]
pub fn Kb() -> impl IntoView {
    let list = RwSignal::new(Vec::<ArticleView>::new());
    let gaps = RwSignal::new(Vec::<Group>::new());
    let note = RwSignal::new(None::<String>);
    // The editor.
    let editing = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let phrasings = RwSignal::new(String::new());
    let locale = RwSignal::new("en".to_string());
    let category = RwSignal::new(String::new());
    // The revision the editor's text started from, sent back as `If-Match`.
    let base = RwSignal::new(None::<u32>);
    // Someone else's version, after a save was refused because of it.
    let theirs = RwSignal::new(None::<ArticleView>);
    let history = RwSignal::new(None::<Vec<ArticleRevision>>);
    let deleted = RwSignal::new(Vec::<ArticleRevision>::new());
    let status = RwSignal::new(None::<KbStatus>);
    // The site's order of categories, as the help centre lists them.
    let order = move || status.get().map(|s| s.category_order).unwrap_or_default();
    let order_text = RwSignal::new(String::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(s) = api::get::<KbStatus>("/v1/agent/kb/status").await {
                status.try_set(Some(s));
            }
            match api::get::<Vec<ArticleView>>("/v1/agent/articles").await {
                Ok(a) => list.set(a),
                Err(e) => note.set(Some(e.message)),
            }
            if let Ok(d) = api::get::<Vec<ArticleRevision>>("/v1/agent/kb/deleted").await {
                deleted.set(d);
            }
            if let Ok(g) = api::get::<Vec<Group>>("/v1/agent/kb/unanswered").await {
                gaps.set(g);
            }
        });
    };
    reload();
    let edit_fields = move |a: Option<ArticleView>| match a {
        Some(a) => {
            base.set(Some(a.revision));
            editing.set(Some(a.id.clone()));
            title.set(a.title);
            body.set(a.body);
            tags.set(a.tags.join(", "));
            phrasings.set(a.phrasings.join("\n"));
            locale.set(a.locale);
            category.set(a.category);
        }
        None => {
            base.set(None);
            editing.set(Some(String::new()));
            for s in [title, body, tags, phrasings, category] {
                s.set(String::new());
            }
            locale.set("en".into());
        }
    };
    let edit = move |a: Option<ArticleView>| {
        theirs.set(None);
        history.set(None);
        edit_fields(a);
    };
    let admin = expect_context::<Session>().is_admin();
    // An unanswered question becomes a new article, its wordings the
    // article's phrasings.
    let write_for = move |g: Group| {
        edit(None);
        title.set(g.example.clone());
        phrasings.set(g.questions.iter().map(|(q, _)| q.clone()).collect::<Vec<_>>().join("\n"));
        note.set(Some("The customers' wordings are the new article's phrasings: write the answer, then save.".into()));
    };
    // Or its wordings join the closest article, which then answers them.
    let add_wordings = move |id: String, g: Group| {
        leptos::task::spawn_local(async move {
            let a = match api::get::<ArticleView>(&format!("/v1/agent/articles/{}", api::enc(&id))).await {
                Ok(a) => a,
                Err(e) => return note.set(Some(e.message)),
            };
            let questions: Vec<String> = g.questions.iter().map(|(q, _)| q.clone()).collect();
            let (phrasings, added) = with_phrasings(&a.phrasings, &questions);
            if added == 0 {
                return note.set(Some(format!("“{}” has these wordings already.", a.title)));
            }
            let input = ArticleInput { phrasings, ..ArticleInput::from(&a) };
            let path = format!("/v1/admin/articles/{}", api::enc(&a.id));
            match api::call_with::<_, ArticleView>("PUT", &path, &input, &[("if-match", &revision_etag(a.revision))])
                .await
            {
                Ok(saved) => {
                    let words = if added == 1 { "1 wording".to_string() } else { format!("{added} wordings") };
                    note.set(Some(format!("Added {words} to “{}”. Publish to update the widget.", saved.title)));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    // A save or delete was refused because the article changed meanwhile:
    // the editor keeps this agent's text and shows the other version.
    let conflict = move |id: &str, message: String| {
        let path = format!("/v1/agent/articles/{}", api::enc(id));
        async move {
            match api::get::<ArticleView>(&path).await {
                Ok(a) => {
                    note.set(Some(message));
                    theirs.try_set(Some(a));
                }
                Err(_) => {
                    // Deleted meanwhile: saving again makes it anew.
                    note.set(Some(format!("{message}. Your text is still here: save to create the article again.")));
                    base.try_set(None);
                }
            }
        }
    };
    let submit = move || {
        let id = editing.get_untracked().unwrap_or_default();
        let input = ArticleInput {
            id: (!id.is_empty()).then(|| id.clone()),
            title: title.get_untracked(),
            body: body.get_untracked(),
            tags: split(&tags.get_untracked(), ','),
            phrasings: split(&phrasings.get_untracked(), '\n'),
            locale: Some(locale.get_untracked()),
            category: Some(category.get_untracked()),
        };
        let started_from = base.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/articles/{}", api::enc(&id));
            let r = match (id.is_empty(), started_from) {
                (true, _) => api::call::<_, ArticleView>("POST", "/v1/admin/articles", &input).await,
                (false, Some(r)) => {
                    api::call_with::<_, ArticleView>("PUT", &path, &input, &[("if-match", &revision_etag(r))]).await
                }
                (false, None) => api::call::<_, ArticleView>("PUT", &path, &input).await,
            };
            match r {
                Ok(a) => {
                    note.set(Some(format!("Saved “{}”. Publish to update the widget.", a.title)));
                    theirs.set(None);
                    editing.set(None);
                    reload();
                }
                Err(e) if e.code == "edit_conflict" => conflict(&id, e.message).await,
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit();
    };
    let keep_mine = move |_| {
        if let Some(t) = theirs.get_untracked() {
            base.set(Some(t.revision));
            submit();
        }
    };
    let take_theirs = move |_| {
        if let Some(t) = theirs.get_untracked() {
            edit(Some(t));
            note.set(Some("Their version is in the editor now.".into()));
        }
    };
    let show_history = move |_| {
        let id = editing.get_untracked().unwrap_or_default();
        leptos::task::spawn_local(async move {
            match api::get::<Vec<ArticleRevision>>(&format!("/v1/agent/articles/{}/revisions", api::enc(&id))).await {
                Ok(h) => {
                    history.try_set(Some(h));
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let restore = move |id: String, revision: u32| {
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/articles/{}/revisions/{revision}/restore", api::enc(&id));
            match api::call::<_, ArticleView>("POST", &path, &serde_json::json!({})).await {
                Ok(a) => {
                    note.set(Some(format!(
                        "Restored revision {revision} of “{}” as revision {}. Publish to update the widget.",
                        a.title, a.revision
                    )));
                    if editing.get_untracked().as_deref() == Some(a.id.as_str()) {
                        edit(Some(a));
                    }
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let delete = move |id: String| {
        let started_from = base.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/articles/{}", api::enc(&id));
            let r = match started_from {
                Some(r) => api::delete_if_match(&path, &revision_etag(r)).await,
                None => api::delete(&path).await,
            };
            match r {
                Ok(()) => {
                    note.set(Some("Deleted. Publish to update the widget.".into()));
                    editing.set(None);
                    reload();
                }
                Err(e) if e.code == "edit_conflict" => conflict(&id, e.message).await,
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let publish = move |_| {
        leptos::task::spawn_local(async move {
            match api::call::<_, serde_json::Value>("POST", "/v1/admin/kb/publish", &serde_json::json!({})).await {
                Ok(p) => {
                    note.set(Some(format!("Published {} articles ({} bytes).", p["articles"], p["bytes"])));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(files) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        leptos::task::spawn_local(async move {
            let mut markdown = Vec::new();
            for f in files {
                if let Ok(t) = JsFuture::from(f.text()).await {
                    markdown.push(t.as_string().unwrap_or_default());
                }
            }
            match api::call::<_, serde_json::Value>(
                "POST",
                "/v1/admin/articles/import",
                &serde_json::json!({ "markdown": markdown }),
            )
            .await
            {
                Ok(r) => {
                    note.set(Some(format!("Imported {} articles. Publish to update the widget.", r["imported"])));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    // The order's editor starts from the list as shown.
    let show_order = move |ev: leptos::ev::Event| {
        if event_target::<web_sys::HtmlDetailsElement>(&ev).open() {
            order_text.set(categories(&list.get_untracked(), &order()).join("\n"));
        }
    };
    let save_order = move |_| {
        let names: Vec<String> =
            order_text.get_untracked().lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        leptos::task::spawn_local(async move {
            let body = CategoryOrder { order: names };
            match api::call::<_, CategoryOrder>("PUT", "/v1/admin/kb/categories", &body).await {
                Ok(_) => {
                    note.set(Some("Saved: the help centre lists the categories in this order.".into()));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <section>
            <h1>"Knowledge base"</h1>
            <div class="toolbar">
                <button type="button" on:click=move |_| edit(None)>"New article"</button>
                <label class="button">"Import Markdown files"<input type="file" accept=".md,text/markdown" multiple class="sr" on:change=import /></label>
                {admin.then(|| view! {
                    <a class="button" href="/v1/admin/kb/export" download="deflect-kb.json">"Export all articles"</a>
                    <a class="button" href="/v1/admin/kb/export?format=markdown" download="deflect-kb.zip">"Export as Markdown files"</a>
                })}
                <button type="button" class="primary" on:click=publish>"Publish to the widget"</button>
            </div>
            {move || status.get().map(|s| {
                let pending = s.changed + s.deleted > 0 || s.published_at.is_none();
                view! { <p class="publish-state" data-pending=pending.to_string()>{publish_words(&s)}</p> }
            })}
            <Notice note=note />
            <Show when=move || editing.get().is_some()>
                <form class="editor" on:submit=save>
                    <h2>{move || if editing.get().unwrap_or_default().is_empty() { "New article".to_string() } else { format!("Edit {}", editing.get().unwrap_or_default()) }}</h2>
                    <label for="a-title">"Title"</label>
                    <input id="a-title" type="text" required prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                    <label for="a-body">"Answer (Markdown)"</label>
                    <textarea id="a-body" rows="10" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    <label for="a-phrasings">"Other ways customers ask (one per line)"</label>
                    <textarea id="a-phrasings" rows="4" prop:value=move || phrasings.get() on:input=move |ev| phrasings.set(event_target_value(&ev))></textarea>
                    <label for="a-tags">"Tags (comma-separated)"</label>
                    <input id="a-tags" type="text" prop:value=move || tags.get() on:input=move |ev| tags.set(event_target_value(&ev)) />
                    <label for="a-category">"Help-centre category (optional)"</label>
                    <input id="a-category" type="text" list="kb-categories" maxlength="80" placeholder="e.g. Billing, or Billing / Invoices for a section" prop:value=move || category.get() on:input=move |ev| category.set(event_target_value(&ev)) />
                    <datalist id="kb-categories">
                        {move || categories(&list.get(), &[]).into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
                    </datalist>
                    <label for="a-locale">"Language"</label>
                    <select id="a-locale" on:change=move |ev| locale.set(event_target_value(&ev))>
                        <option value="en" selected=move || locale.get() == "en">"English"</option>
                        <option value="zh" selected=move || locale.get() == "zh">"中文"</option>
                    </select>
                    <div class="row">
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                        <Show when=move || !editing.get().unwrap_or_default().is_empty()>
                            <button type="button" id="show-history" on:click=show_history>"History"</button>
                            <button type="button" class="danger" on:click=move |_| delete(editing.get_untracked().unwrap_or_default())>"Delete"</button>
                        </Show>
                    </div>
                    {move || theirs.get().map(|t| view! {
                        <div id="edit-conflict" class="conflict" role="alert">
                            <p>{format!("Their version (revision {}, saved {}):", t.revision, crate::time::ago(t.updated_at))}</p>
                            <p class="their-title"><strong>{t.title.clone()}</strong></p>
                            <pre class="their-body">{t.body.clone()}</pre>
                            <div class="row">
                                <button type="button" id="keep-mine" class="primary" on:click=keep_mine>"Save mine over theirs"</button>
                                <button type="button" id="take-theirs" on:click=take_theirs>"Load their version"</button>
                            </div>
                        </div>
                    })}
                    {move || history.get().map(|h| view! {
                        <h3 id="history-h">"History"</h3>
                        <ol class="revisions" aria-labelledby="history-h">
                            {h.into_iter().enumerate().map(|(i, r)| {
                                let who = r.author.clone().unwrap_or_else(|| "before history was kept".into());
                                let mut line = format!("Revision {} — {} by {}, {}: “{}”", r.revision, r.action.describe(), who, crate::time::ago(r.created_at), r.title);
                                if !r.category.is_empty() {
                                    line.push_str(&format!(" in {}", r.category));
                                }
                                let (id, n) = (r.article.clone(), r.revision);
                                view! {
                                    <li class="revision" data-revision=r.revision.to_string()>
                                        {line}
                                        <details><summary>"Text"</summary><pre>{r.body.clone()}</pre></details>
                                        {(i > 0).then(|| view! {
                                            <button type="button" class="restore" on:click=move |_| restore(id.clone(), n)>{format!("Restore revision {n}")}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    })}
                </form>
            </Show>
            <TryIt />
            <div class="two-col">
                <div>
                    <h2>"Articles"</h2>
                    {move || {
                        let all = list.get();
                        let order = order();
                        let groups = by_category(&all, |a| a.category.as_str(), &order);
                        let named = groups.iter().any(|g| !g.name.is_empty());
                        groups.into_iter().map(|g| {
                            let heading = match (named, g.name) {
                                (false, _) => None,
                                (true, "") => Some("No category".to_string()),
                                (true, name) => Some(name.to_string()),
                            };
                            view! {
                                {heading.map(|h| view! { <h3 class="category">{h}</h3> })}
                                <ul class="articles">
                                    {g.items.into_iter().map(|a| {
                                        let label = format!("{} ({})", a.title, a.locale);
                                        let a2 = a.clone();
                                        view! { <li><button type="button" class="link" on:click=move |_| edit(Some(a2.clone()))>{label}</button></li> }
                                    }).collect_view()}
                                </ul>
                            }
                        }).collect_view()
                    }}
                    {move || (admin && list.with(|l| l.iter().any(|a| !a.category.trim().is_empty()))).then(|| view! {
                        <details class="category-order" on:toggle=show_order>
                            <summary>"Order of categories"</summary>
                            <label for="category-order">"The help centre lists these categories first, in this order (one per line); the others follow alphabetically, and articles without one last."</label>
                            <textarea id="category-order" rows="5" prop:value=move || order_text.get() on:input=move |ev| order_text.set(event_target_value(&ev))></textarea>
                            <div class="row"><button type="button" id="save-category-order" on:click=save_order>"Save order"</button></div>
                        </details>
                    })}
                    <Show when=move || !deleted.get().is_empty()>
                        <h2>"Deleted articles"</h2>
                        <ul class="deleted-articles">
                            {move || deleted.get().into_iter().map(|r| {
                                let who = r.author.clone().unwrap_or_default();
                                let line = format!("{} — deleted by {}, {} ", r.title, who, crate::time::ago(r.created_at));
                                let (id, n) = (r.article.clone(), r.revision);
                                view! {
                                    <li data-id=r.article.clone()>
                                        {line}
                                        <button type="button" class="restore" on:click=move |_| restore(id.clone(), n)>{format!("Restore “{}”", r.title)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </Show>
                </div>
                <div>
                    <h2>"Unanswered questions"</h2>
                    <p class="muted">"What customers asked when no article fitted, grouped; a large group is a missing article."</p>
                    <ol class="gaps">
                        {move || gaps.get().into_iter().map(|g| {
                            let (g1, g2) = (g.clone(), g.clone());
                            view! {
                            <li>
                                <strong>{g.example.clone()}</strong> {format!(" — asked {}", count(g.count, "time", "times"))}
                                {g.closest_article.as_ref().map(|c| view! {
                                    <div class="muted">{format!("closest article: {} ({}), confidence {:.0}%", c.title, c.id, c.confidence * 100.0)}</div>
                                })}
                                {(g.questions.len() > 1).then(|| view! {
                                    <details><summary>{format!("{} wordings", g.questions.len())}</summary>
                                        <ul>{g.questions.iter().map(|(q, n)| view! { <li>{format!("{q} ({n})")}</li> }).collect_view()}</ul>
                                    </details>
                                })}
                                {admin.then(|| view! {
                                    <div class="row gap-actions">
                                        <button type="button" class="write-article" on:click=move |_| write_for(g1.clone())>"Write an article for it"</button>
                                        {g.closest_article.clone().map(|c| {
                                            let label = format!("Add the wordings to “{}”", c.title);
                                            view! { <button type="button" class="add-wordings" on:click=move |_| add_wordings(c.id.clone(), g2.clone())>{label}</button> }
                                        })}
                                    </div>
                                })}
                            </li>
                            }
                        }).collect_view()}
                    </ol>
                </div>
            </div>
            <Performance />
        </section>
    }
}

/// The categories the articles are in, each once, in `order` (then by
/// name).
fn categories(list: &[ArticleView], order: &[String]) -> Vec<String> {
    by_category(list, |a| a.category.as_str(), order)
        .into_iter()
        .filter(|g| !g.name.is_empty())
        .map(|g| g.name.to_string())
        .collect()
}

/// Where publishing stands, in a sentence.
fn publish_words(s: &KbStatus) -> String {
    let articles = |n: u64| count(n, "article", "articles");
    match s.published_at {
        None => format!(
            "Not published yet: the widget has no articles. {} saved; publish to give them to the widget.",
            articles(s.saved_articles)
        ),
        Some(at) if s.changed + s.deleted == 0 => format!(
            "The widget has everything saved: published {}, {}.",
            crate::time::ago(at),
            articles(s.published_articles as u64)
        ),
        Some(at) => {
            let mut parts = Vec::new();
            if s.changed > 0 {
                parts.push(format!("{} new or changed", articles(s.changed)));
            }
            if s.deleted > 0 {
                parts.push(format!("{} deleted", articles(s.deleted)));
            }
            format!(
                "Published {}. Not in the widget yet: {}; publish to update it.",
                crate::time::ago(at),
                parts.join(" and ")
            )
        }
    }
}

/// What the widget says to a sentence of the result of a tried question.
fn decision_words(t: &TryAnswer) -> String {
    let pct = |x: f32| format!("{:.0}%", x * 100.0);
    let searched = if t.draft {
        format!("the {} saved articles", t.articles)
    } else {
        format!("the {} published articles", t.articles)
    };
    let shown: Vec<&str> = t.hits.iter().filter(|h| h.shown).map(|h| h.title.as_str()).collect();
    match (t.decision.as_str(), shown.as_slice()) {
        ("answer", [first, ..]) => format!(
            "The widget answers with “{first}” (confidence {}; it answers from {}). Searched {searched}.",
            pct(t.confidence),
            pct(t.answer_threshold)
        ),
        ("suggest", list) => format!(
            "The widget suggests {} (confidence {}; it answers from {} and suggests from {}). Searched {searched}.",
            list.iter().map(|t| format!("“{t}”")).collect::<Vec<_>>().join(", "),
            pct(t.confidence),
            pct(t.answer_threshold),
            pct(t.suggest_threshold)
        ),
        _ => format!(
            "No article fits well enough: the widget offers a ticket (confidence {}; it suggests from {}). Searched {searched}.",
            pct(t.confidence),
            pct(t.suggest_threshold)
        ),
    }
}

/// Asks a question as a customer would and shows what the widget does with
/// it, on the published index or on the articles as saved.
#[component]
fn TryIt() -> impl IntoView {
    let question = RwSignal::new(String::new());
    let draft = RwSignal::new(true);
    let result = RwSignal::new(None::<Result<TryAnswer, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TryQuestion { question: question.get_untracked(), draft: draft.get_untracked() };
        leptos::task::spawn_local(async move {
            let r = api::call::<_, TryAnswer>("POST", "/v1/agent/kb/try", &body).await.map_err(|e| e.message);
            result.try_set(Some(r));
        });
    };
    view! {
        <h2 id="try-h">"Try a question"</h2>
        <p class="muted">"Ask as a customer would and see what the widget does: answer with an article, suggest a few, or offer a ticket."</p>
        <form class="try" aria-labelledby="try-h" on:submit=submit>
            <label for="try-q">"Question"</label>
            <input id="try-q" type="text" maxlength="500" required prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev)) />
            <label class="inline">
                <input type="checkbox" id="try-draft" prop:checked=move || draft.get() on:change=move |ev| draft.set(event_target_checked(&ev)) />
                " Use the articles as saved, before publishing"
            </label>
            <div class="row"><button type="submit">"Try it"</button></div>
        </form>
        {move || match result.get() {
            None => ().into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(t)) => view! {
                <div class="try-result" data-decision=t.decision.clone()>
                    <p class="try-decision">{decision_words(&t)}</p>
                    <ol class="try-hits">
                        {t.hits.iter().map(|h| view! {
                            <li data-id=h.id.clone() data-shown=h.shown.to_string()>
                                {format!("{} — {:.0}%", h.title, h.probability * 100.0)}
                                {h.shown.then(|| view! { " " <span class="tag">"shown"</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            }.into_any(),
        }}
    }
}

/// How each article did with customers in the last 30 days; the ones the
/// votes show to help fewer than half of readers come first.
#[component]
fn Performance() -> impl IntoView {
    let lines = RwSignal::new(None::<Result<Vec<ArticlePerformance>, String>>);
    leptos::task::spawn_local(async move {
        lines.set(Some(
            api::get::<Vec<ArticlePerformance>>("/v1/agent/kb/performance?days=30").await.map_err(|e| e.message),
        ));
    });
    view! {
        <h2 id="perf-h">"How articles do (last 30 days)"</h2>
        <p class="muted">"Answers the widget showed, readers' votes, and tickets agents marked as solved by each article. “Needs work” means the votes show, with 95% confidence, that it helps fewer than half of those who vote."</p>
        {move || match lines.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(l)) => view! {
                <table class="performance" aria-labelledby="perf-h">
                    <thead><tr>
                        <th scope="col">"Article"</th><th scope="col">"Shown"</th><th scope="col">"Helped"</th>
                        <th scope="col">"Did not help"</th><th scope="col">"Helpful"</th><th scope="col">"Tickets solved"</th>
                    </tr></thead>
                    <tbody>
                        {l.into_iter().map(|a| view! {
                            <tr class="perf-row" data-id=a.id.clone()>
                                <th scope="row">{a.title.clone()}{a.needs_work.then(|| view! { " " <span class="tag needs-work">"needs work"</span> })}</th>
                                <td>{a.shown}</td><td>{a.helped}</td><td>{a.not_helped}</td>
                                <td>{a.helpful_share.map(|h| format!("{:.0}%", h * 100.0)).unwrap_or_else(|| "—".into())}</td>
                                <td>{a.solved_tickets}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}
