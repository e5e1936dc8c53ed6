//! Format compatibility: an index written by format version 1 and committed
//! in `testdata/` must keep decoding and answering the same way. A change to
//! the format bumps `FORMAT_VERSION` and adds a new golden file beside this
//! one; it never edits an old one.
//!
//! To write the golden file of the current version (only when adding a
//! version): `DEFLECT_WRITE_GOLDEN=1 cargo test -p deflect-shared --test compat`.

use deflect_shared::kb::{Article, BuildOptions, Decision, FORMAT_VERSION, KbIndex, SearchOptions};
use std::path::Path;

fn kb() -> Vec<Article> {
    let a = |id: &str, title: &str, body: &str, phrasings: &[&str], locale: &str| Article {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        tags: vec!["golden".into()],
        phrasings: phrasings.iter().map(|p| p.to_string()).collect(),
        locale: locale.into(),
        ..Article::default()
    };
    vec![
        a(
            "card-arrival",
            "Where is my card?",
            "Cards arrive within five working days. Track yours in the app.",
            &["my card has not arrived", "when will my card come"],
            "en",
        ),
        a(
            "refunds",
            "Refunds",
            "Refunds reach your card within five days of approval.",
            &["I want my money back", "how do I get a refund"],
            "en",
        ),
        a(
            "reset-password",
            "Reset your password",
            "Open the sign-in page and choose **Forgot password**.",
            &["I forgot my password", "cannot log in"],
            "en",
        ),
        a(
            "zh-login",
            "无法登录怎么办",
            "请在登录页点击“忘记密码”，按邮件中的链接重置密码。",
            &["登录不了", "忘记密码了"],
            "zh",
        ),
    ]
}

fn golden_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/index-v{FORMAT_VERSION}.dfkb"))
}

#[test]
fn version_1_golden_index_still_answers() {
    if std::env::var_os("DEFLECT_WRITE_GOLDEN").is_some() {
        let bytes = KbIndex::build(&kb(), &BuildOptions::default()).expect("builds").encode();
        std::fs::write(golden_path(), bytes).expect("writes the golden file");
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/index-v1.dfkb");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let index = KbIndex::decode(&bytes).expect("the version 1 golden index decodes");
    let ids: Vec<&str> = index.articles().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["card-arrival", "refunds", "reset-password", "zh-login"]);
    let best = |q: &str| {
        let m = index.search(q, SearchOptions::default());
        (index.articles()[m.hits[0].article].id.clone(), m.decision)
    };
    assert_eq!(best("my new card still has not arrived").0, "card-arrival");
    assert_eq!(best("how can I get my money back").0, "refunds");
    assert_eq!(best("I forgot my passwrd").0, "reset-password");
    assert_eq!(best("我忘记密码，登录不了").0, "zh-login");
    assert_eq!(best("what is the weather on mars").1, Decision::Escalate);
    // Re-encoding a decoded version 1 index gives the same bytes.
    assert_eq!(index.encode(), bytes, "encoding changed without a FORMAT_VERSION bump");
}
