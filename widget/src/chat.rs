//! The chat: questions, answers from the KB matched in the browser, live
//! suggestions while typing, feedback, and the way to a person.

use crate::app::{Entry, Screen, Widget};
use crate::article::Body;
use deflect_shared::api::EventKind;
use deflect_shared::kb::{Decision, KbIndex, SearchOptions};
use leptos::prelude::*;

/// Adds a finished question to the chat and answers it, or, while the KB
/// index is still on its way, answers it as soon as the index arrives.
fn ask(w: &Widget, question: String) {
    let q = question.trim().to_string();
    if q.is_empty() {
        return;
    }
    w.push(Entry::User(q.clone()));
    w.questions.update(|v| v.push(q.clone()));
    match w.index.get_untracked() {
        Some(index) => answer(w, &index, q),
        None if w.index_failed.get_untracked() => no_index(w, q),
        None => w.waiting.update_value(|v| v.push(q)),
    }
}

/// Without a KB (offline, or not published) every question goes to a
/// person.
pub(crate) fn no_index(w: &Widget, q: String) {
    w.push(Entry::NoAnswer);
    w.event(EventKind::NoAnswer, None, Some(q), None);
}

/// Matches a question and adds the result to the chat.
pub(crate) fn answer(w: &Widget, index: &KbIndex, q: String) {
    let m = index.search(&q, SearchOptions { limit: 3, last_word_unfinished: false });
    let id = |i: usize| index.articles()[i].id.clone();
    match m.decision {
        Decision::Answer => {
            let a = m.hits[0].article;
            w.shown.update(|v| v.push(id(a)));
            w.push(Entry::Answer { article: a, question: q.clone(), feedback: None });
            w.event(EventKind::AnswerShown, Some(id(a)), Some(q), Some(m.confidence));
        }
        Decision::Suggest => {
            let list = m.offered();
            w.shown.update(|v| v.extend(list.iter().map(|&a| id(a))));
            w.push(Entry::Suggest { articles: list, question: q.clone() });
            w.event(EventKind::AnswerShown, Some(id(m.hits[0].article)), Some(q), Some(m.confidence));
        }
        Decision::Escalate => {
            w.push(Entry::NoAnswer);
            w.event(EventKind::NoAnswer, None, Some(q), Some(m.confidence));
        }
    }
}

/// Records feedback on an answer; "did not help" leads to the ticket form.
fn feedback(w: &Widget, entry: u32, helped: bool) {
    let mut found = None;
    w.entries.update(|v| {
        if let Some((_, Entry::Answer { article, question, feedback })) = v.iter_mut().find(|(id, _)| *id == entry)
            && feedback.is_none()
        {
            *feedback = Some(helped);
            found = Some((*article, question.clone()));
        }
    });
    let Some((article, question)) = found else { return };
    let article_id = w.index.get_untracked().map(|ix| ix.articles()[article].id.clone());
    w.event(if helped { EventKind::Helped } else { EventKind::NotHelped }, article_id, Some(question), None);
    if helped {
        w.push(Entry::Bot(w.s.glad.to_string()));
    } else {
        w.screen.set(Screen::Form);
    }
}

/// One chat line.
#[component]
fn Line(
    /// Its id (for feedback).
    id: u32,
    /// The line.
    entry: Entry,
) -> impl IntoView {
    let w = expect_context::<Widget>();
    let s = w.s;
    let index = w.index;
    let site = w.cfg.site.clone();
    let edge = w.cfg.edge.clone();
    match entry {
        Entry::Bot(t) => view! { <div class="dfl-msg dfl-bot">{t}</div> }.into_any(),
        Entry::User(t) => view! { <div class="dfl-msg dfl-user">{t}</div> }.into_any(),
        Entry::Notice(t) => view! { <div class="dfl-msg dfl-notice" role="status">{t}</div> }.into_any(),
        Entry::NoAnswer => {
            let w2 = w.clone();
            view! {
                <div class="dfl-msg dfl-bot">
                    <p>{s.no_answer}</p>
                    <button type="button" class="dfl-btn" on:click=move |_| w2.screen.set(Screen::Form)>{s.talk_to_person}</button>
                </div>
            }
            .into_any()
        }
        Entry::Answer { article, feedback: given, .. } => {
            let Some(ix) = index.get_untracked() else { return ().into_any() };
            let a = ix.articles()[article].clone();
            let link = format!("{edge}/help/{site}/articles/{}", js_sys::encode_uri_component(&a.id));
            let (w1, w2, w3) = (w.clone(), w.clone(), w.clone());
            view! {
                <div class="dfl-msg dfl-bot dfl-answer">
                    <p class="dfl-intro">{s.answer_intro}</p>
                    <h3>{a.title.clone()}</h3>
                    <div class="dfl-article"><Body text=a.body.clone() /></div>
                    <a class="dfl-more" href=link target="_blank" rel="noopener">{s.read_more}</a>
                    {match given {
                        None => view! {
                            <div class="dfl-feedback">
                                <button type="button" class="dfl-btn" on:click=move |_| feedback(&w1, id, true)>{s.helped}</button>
                                <button type="button" class="dfl-btn dfl-secondary" on:click=move |_| feedback(&w2, id, false)>{s.not_helped}</button>
                            </div>
                        }.into_any(),
                        Some(true) => ().into_any(),
                        Some(false) => view! {
                            <button type="button" class="dfl-btn" on:click=move |_| w3.screen.set(Screen::Form)>{s.talk_to_person}</button>
                        }.into_any(),
                    }}
                </div>
            }
            .into_any()
        }
        Entry::Suggest { articles, question } => {
            let Some(ix) = index.get_untracked() else { return ().into_any() };
            let w2 = w.clone();
            view! {
                <div class="dfl-msg dfl-bot">
                    <p>{s.suggest_intro}</p>
                    <ul class="dfl-choices">
                        {articles.into_iter().map(|a| {
                            let title = ix.articles()[a].title.clone();
                            let (w3, q) = (w.clone(), question.clone());
                            view! { <li><button type="button" class="dfl-choice" on:click=move |_| {
                                w3.push(Entry::Answer { article: a, question: q.clone(), feedback: None });
                            }>{title}</button></li> }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="dfl-text-btn" on:click=move |_| w2.screen.set(Screen::Form)>{s.talk_to_person}</button>
                </div>
            }
            .into_any()
        }
    }
}

/// What of an entry can change after it is shown, so the list re-renders
/// it: the feedback given on an answer.
fn entry_state(e: &Entry) -> u8 {
    match e {
        Entry::Answer { feedback: None, .. } => 1,
        Entry::Answer { feedback: Some(false), .. } => 2,
        Entry::Answer { feedback: Some(true), .. } => 3,
        _ => 0,
    }
}

/// The chat screen.
#[component]
pub(crate) fn Chat() -> impl IntoView {
    let w = expect_context::<Widget>();
    let s = w.s;
    let text = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let log = NodeRef::<leptos::html::Div>::new();
    // Focus the question box when the chat appears.
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    // Keep the newest line in view.
    let entries = w.entries;
    Effect::new(move |_| {
        entries.track();
        if let Some(l) = log.get() {
            l.set_scroll_top(l.scroll_height());
        }
    });
    let index = w.index;
    // Live matches as the customer types (the last word may be unfinished).
    let live = Memo::new(move |_| {
        let t = text.get();
        if t.trim().chars().count() < 3 {
            return Vec::new();
        }
        index.with(|ix| {
            ix.as_ref().map_or_else(Vec::new, |ix| {
                let m = ix.search(&t, SearchOptions { limit: 3, last_word_unfinished: !t.ends_with(' ') });
                if m.confidence < ix.weights().suggest_threshold {
                    return Vec::new();
                }
                m.plausible().map(|h| (h.article, ix.articles()[h.article].title.clone())).collect()
            })
        })
    });
    let submit = {
        let w = w.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let q = text.get_untracked();
            text.set(String::new());
            ask(&w, q);
        }
    };
    let w_pick = w.clone();
    let w_form = w.clone();
    view! {
        <div class="dfl-log" role="log" aria-live="polite" node_ref=log>
            <For each=move || entries.get() key=|(id, e)| (*id, entry_state(e)) let:item>
                <Line id=item.0 entry=item.1 />
            </For>
        </div>
        <Show when=move || !live.get().is_empty()>
            <div class="dfl-live">
                <p class="dfl-live-title" id="dfl-live-title">{s.suggestions}</p>
                <ul aria-labelledby="dfl-live-title">
                    {
                        let w_pick = w_pick.clone();
                        move || live.get().into_iter().map(|(a, title)| {
                            let w = w_pick.clone();
                            view! { <li><button type="button" class="dfl-choice" on:click=move |_| {
                                let q = text.get_untracked();
                                text.set(String::new());
                                w.push(Entry::User(q.clone()));
                                w.questions.update(|v| v.push(q.clone()));
                                if let Some(ix) = w.index.get_untracked() {
                                    let id = ix.articles()[a].id.clone();
                                    w.shown.update(|v| v.push(id.clone()));
                                    w.event(EventKind::AnswerShown, Some(id), Some(q.clone()), None);
                                }
                                w.push(Entry::Answer { article: a, question: q, feedback: None });
                                // The list this button was in is gone; keep
                                // the keyboard in the chat.
                                if let Some(i) = input.get_untracked() {
                                    let _ = i.focus();
                                }
                            }>{title}</button></li> }
                        }).collect_view()
                    }
                </ul>
            </div>
        </Show>
        <form class="dfl-composer" on:submit=submit>
            <label class="dfl-sr" for="dfl-q">{s.placeholder}</label>
            <input
                id="dfl-q"
                type="text"
                autocomplete="off"
                maxlength="1000"
                placeholder=s.placeholder
                node_ref=input
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button type="submit" class="dfl-btn">{s.send}</button>
        </form>
        <button type="button" class="dfl-text-btn dfl-person" on:click=move |_| w_form.screen.set(Screen::Form)>{s.talk_to_person}</button>
    }
}
